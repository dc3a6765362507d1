"""The admins' office work: employers, unsent and failed mail, statistics, the audit log."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from courses.api.admin.mapping import audit_out, employer_out, mail_out, stats_out
from courses.api.admin.schemas import (
    AuditEntryOut,
    EmployerAdminOut,
    EmployerIn,
    EmployerPatch,
    MailOut,
    StatsOut,
)
from courses.api.http.openapi import problem_responses
from courses.api.http.paging import next_link
from courses.api.http.paths import PathSegment
from courses.api.staff_identity import actor_dependency
from courses.domain.ids import MAX_ID
from courses.domain.notices import OutboxStatus
from courses.domain.permissions import Actor
from courses.services.audit import audit_log
from courses.services.context import ServiceContext
from courses.services.outbox import mail_admin
from courses.services.permissions import require_admin
from courses.services.schedule import employers
from courses.services.statistics import statistics

__all__ = ["AdminOfficeController"]

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=500, description="Högst så många")]
Before = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_ID, description="Bara poster med lägre id (bläddra)"),
]


class AdminOfficeController(Controller):
    path = "/api/admin"
    tags = ("Administration",)
    dependencies = actor_dependency()

    @get("/employers", summary="Arrangörens arbetsgivare", responses=problem_responses(401, 403))
    async def list_employers(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor]
    ) -> list[EmployerAdminOut]:
        return [employer_out(e) for e in await employers.list_employers_for_admin(ctx, actor)]

    @post(
        "/employers",
        status_code=HTTP_201_CREATED,
        summary="Lägg till en arbetsgivare",
        responses=problem_responses(400, 401, 403, 409, 413, 415),
    )
    async def create_employer(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        data: JSONBody[EmployerIn],
    ) -> EmployerAdminOut:
        created = await employers.create_employer(
            ctx,
            actor,
            key=data.key,
            name=data.name,
            kind=data.kind,
            domains=data.domains,
            organizer_key=data.organizer,
        )
        return employer_out(created)

    @patch(
        "/employers/{key:str}",
        summary="Ändra en arbetsgivares namn, typ eller domäner, eller inaktivera den",
        responses=problem_responses(400, 401, 403, 404, 413, 415),
    )
    async def change_employer(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        key: PathSegment,
        data: JSONBody[EmployerPatch],
    ) -> EmployerAdminOut:
        change = employers.EmployerChange(
            name=data.name, kind=data.kind, domains=data.domains, retired=data.retired
        )
        return employer_out(await employers.change_employer(ctx, actor, key, change))

    @delete(
        "/employers/{key:str}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Ta bort en arbetsgivare utan anmälningar",
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def remove_employer(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], key: PathSegment
    ) -> None:
        await employers.remove_employer(ctx, actor, key)

    @get(
        "/mail",
        summary="Brev som väntar eller har misslyckats",
        description=(
            'Nyast först, `limit` i taget; finns det fler leder `Link` (rel="next") till '
            "nästa sida (`before`: det sista brevets id)."
        ),
        responses=problem_responses(400, 401, 403),
    )
    async def list_mail(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        status: FromQuery[Literal["pending", "sending", "failed"] | None] = None,
        before: Before = None,
        limit: Limit = 100,
    ) -> Response[list[MailOut]]:
        found = await mail_admin.list_unsent_mail(
            ctx,
            actor,
            status=None if status is None else OutboxStatus(status),
            before_id=before,
            limit=limit + 1,  # one more: whether a next page follows
        )
        return _older_on(request, [mail_out(mail, ctx.tz) for mail in found], limit)

    @post(
        "/mail/{mail_id:int}/retry",
        status_code=HTTP_200_OK,
        summary="Skicka ett misslyckat brev igen",
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def retry_mail(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        mail_id: Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Brevets id")],
    ) -> MailOut:
        return mail_out(await mail_admin.retry_mail(ctx, actor, mail_id), ctx.tz)

    @get(
        "/stats",
        summary="Statistik per kurs och per arbetsgivare",
        responses=problem_responses(401, 403),
    )
    async def stats(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor]
    ) -> StatsOut:
        return stats_out(await statistics(ctx, actor))

    @get(
        "/audit",
        summary="Granskningsloggen, nyast först",
        description=(
            '`limit` poster i taget; finns det fler leder `Link` (rel="next") till nästa '
            "sida (`before`: den sista postens id)."
        ),
        responses=problem_responses(400, 401, 403),
    )
    async def audit(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        course: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                pattern=r"^[^\x00-\x1f\x7f-\x9f]+(?![\s\S])",
                description="Kursens slug",
            ),
        ] = None,
        before: Before = None,
        limit: Limit = 100,
    ) -> Response[list[AuditEntryOut]]:
        require_admin(actor)
        found = await audit_log(ctx, actor, course_slug=course, before_id=before, limit=limit + 1)
        return _older_on(request, [audit_out(entry, ctx.tz) for entry in found], limit)


def _older_on(request: Request[Any, Any, Any], rows: list[T], limit: int) -> Response[list[T]]:
    """The first `limit` of `rows` (newest first, one more read than asked for), with a link
    to the older ones when there are any."""
    if len(rows) <= limit:
        return Response(rows)
    kept = rows[:limit]
    last: Any = kept[-1]
    return Response(kept, headers=next_link(request, {"before": last.id, "limit": limit}))
