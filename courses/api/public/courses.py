"""Courses and registering for them."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from courses.api.http.openapi import problem_responses
from courses.api.http.paging import Offset, limit_parameter, paged
from courses.api.http.paths import PathSegment
from courses.api.http.ratelimit import rate_limits
from courses.api.public.mapping import course_out, created_status
from courses.api.public.outcomes import counted_registration
from courses.api.public.schemas import REGISTRATION_EXAMPLE, CourseOut, RegistrationCreated
from courses.domain.paging import MONTH_PATTERN, Window, month_span
from courses.domain.rules import RegistrationState
from courses.services.catalogue import listing
from courses.services.context import ServiceContext
from courses.services.registration.calendars import course_ics
from courses.services.registration.register import RegistrationForm, register

__all__ = ["CourseController"]

OrganizerKey = Annotated[
    str | None,
    QueryParameter(
        description="Bara den arrangörens kurser (arrangörens nyckel, som i `/{nyckel}/`)",
        min_length=1,
        max_length=64,
        examples=[Example(summary="En arrangör", value="kronoberg-beroende")],
    ),
]

Month = Annotated[
    str | None,
    QueryParameter(
        description="Bara kurser med någon kursdag den månaden (ÅÅÅÅ-MM)",
        pattern=MONTH_PATTERN,
        examples=[Example(summary="September 2027", value="2027-09")],
    ),
]
State = Annotated[
    RegistrationState | None,
    # `state` is a name Litestar keeps for the app's state, hence the alias.
    QueryParameter(name="state", description="Bara kurser i det anmälningsläget"),
]
COURSES_PER_PAGE = 500
"""The default page: one organizer's year (about 300 courses) in one answer, so a client that
reads one organizer's courses without following `Link` still gets them all."""
MAX_COURSES_PER_PAGE = 1000


class CourseController(Controller):
    path = "/api/courses"
    tags = ("Kurser",)

    @get(
        "/",
        summary="Alla kurser med aktuellt anmälningsläge",
        description=(
            "Alla publicerade och inställda kurser, tidigast först, en sida i taget: "
            f"`limit` (förvalt {COURSES_PER_PAGE}) från `offset`. Svaret är en lista; "
            '`X-Total-Count` säger hur många kurserna är och `Link` (rel="next") leder till '
            "nästa sida. Med `organizer` bara den arrangörens kurser (en okänd nyckel ger "
            "404), med `month` bara kurser med någon kursdag den månaden, med `state` bara "
            "kurser i det läget."
        ),
        responses=problem_responses(400, 404),
    )
    async def list_courses(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        organizer: OrganizerKey = None,
        month: Month = None,
        wanted_state: State = None,
        limit: Annotated[int, limit_parameter(MAX_COURSES_PER_PAGE)] = COURSES_PER_PAGE,
        offset: Offset = 0,
    ) -> Response[list[CourseOut]]:
        found = await listing.course_page(
            ctx,
            Window(limit=limit, offset=offset),
            organizer=organizer,
            month=month_span(month),
            state=wanted_state,
        )
        return paged(request, found, [course_out(c, ctx.tz) for c in found.items])

    @get("/{slug:str}", summary="En kurs", responses=problem_responses(400, 404))
    async def get_course(
        self, ctx: NamedDependency[ServiceContext], slug: PathSegment
    ) -> CourseOut:
        return course_out(await listing.get_course(ctx, slug), ctx.tz)

    @get(
        "/{slug:str}/calendar.ics",
        summary="Kursens schema som kalender",
        media_type="text/calendar",
        responses=problem_responses(400, 404),
    )
    async def calendar(
        self, ctx: NamedDependency[ServiceContext], slug: PathSegment
    ) -> Response[bytes]:
        return Response(
            await course_ics(ctx, slug),
            media_type="text/calendar",
            headers={"Content-Disposition": f'inline; filename="{slug}.ics"'},
        )

    @post(
        "/{slug:str}/registrations",
        status_code=HTTP_201_CREATED,
        summary="Anmäl dig",
        responses=problem_responses(400, 404, 409, 413, 415, 422, 429),
    )
    async def register(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        slug: PathSegment,
        data: Annotated[
            RegistrationForm,
            Body(examples=[Example(summary="En anmälan", value=REGISTRATION_EXAMPLE)]),
        ],
    ) -> RegistrationCreated:
        await rate_limits(request).registration(request, course=slug, email=data.email)
        # The metrics from the app's state, not as a second dependency: with two, Litestar
        # resolves them in a task group of its own on every request (the hot path).
        metrics = request.app.state.metrics
        receipt = await counted_registration(metrics, register(ctx, slug, data))
        return RegistrationCreated(
            id=receipt.id,
            status=created_status(receipt.status),
            waitlist_position=receipt.waitlist_position,
            manage_url=receipt.manage_url,
        )
