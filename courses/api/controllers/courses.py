"""Courses and registering for them."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from courses.api.mapping import course_out
from courses.api.outcomes import counted_registration
from courses.api.schemas import CourseOut, RegistrationCreated, RegistrationIn
from courses.metrics import Metrics
from courses.services import catalog
from courses.services.calendars import course_ics
from courses.services.context import ServiceContext
from courses.services.registration import RegistrationForm, register

__all__ = ["CourseController"]


class CourseController(Controller):
    path = "/api/courses"
    tags = ("Kurser",)

    @get("/", summary="Alla kurser med aktuellt anmälningsläge")
    async def list_courses(self, ctx: NamedDependency[ServiceContext]) -> list[CourseOut]:
        return [course_out(listing, ctx.tz) for listing in await catalog.list_courses(ctx)]

    @get("/{slug:str}", summary="En kurs")
    async def get_course(
        self, ctx: NamedDependency[ServiceContext], slug: FromPath[str]
    ) -> CourseOut:
        return course_out(await catalog.get_course(ctx, slug), ctx.tz)

    @get(
        "/{slug:str}/calendar.ics",
        summary="Kursens schema som kalender",
        media_type="text/calendar",
    )
    async def calendar(
        self, ctx: NamedDependency[ServiceContext], slug: FromPath[str]
    ) -> Response[bytes]:
        return Response(
            await course_ics(ctx, slug),
            media_type="text/calendar",
            headers={"Content-Disposition": f'inline; filename="{slug}.ics"'},
        )

    @post("/{slug:str}/registrations", status_code=HTTP_201_CREATED, summary="Anmäl dig")
    async def register(
        self,
        ctx: NamedDependency[ServiceContext],
        metrics: NamedDependency[Metrics],
        slug: FromPath[str],
        data: JSONBody[RegistrationIn],
    ) -> RegistrationCreated:
        form = RegistrationForm(
            name=data.name,
            email=data.email,
            employer=data.employer,
            workplace=data.workplace,
            works_in_field=data.works_in_field,
            format=data.format,
            phone=data.phone,
            message=data.message,
        )
        receipt = await counted_registration(metrics, register(ctx, slug, form))
        return RegistrationCreated(
            id=receipt.id,
            status=receipt.status.value,  # type: ignore[arg-type]
            waitlist_position=receipt.waitlist_position,
            manage_url=receipt.manage_url,
        )
