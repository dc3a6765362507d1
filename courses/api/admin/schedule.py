"""The admins' work on schedules, courses, sessions and registrations: `/api/admin/...`.

Every route needs an admin (a bearer token; a session cookie only for reading under /api). A
course of another organizer answers 404 like a missing one; a leader gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK

from courses.api.admin.mapping import (
    course_update_out,
    import_report_out,
    registration_action_out,
)
from courses.api.admin.schemas import (
    CoursePatch,
    CourseUpdateOut,
    ImportReportOut,
    MoveIn,
    RegistrationActionOut,
    SessionPatch,
)
from courses.api.http.body import TEXT_BODY, TEXT_BODY_LIMIT
from courses.api.http.openapi import problem_responses
from courses.api.http.paths import PathSegment
from courses.api.staff_identity import actor_dependency
from courses.domain.courses import Leader
from courses.domain.errors import FieldError, InvalidInput
from courses.domain.ids import MAX_ID
from courses.domain.permissions import Actor
from courses.domain.rules import CourseStatus
from courses.services.context import ServiceContext
from courses.services.registration import on_behalf
from courses.services.schedule import course_edits
from courses.services.schedule.course_edits import CourseEdit, SessionEdit
from courses.services.schedule.files import import_uploaded_schedule

__all__ = ["AdminScheduleController"]

SCHEDULE_MEDIA_TYPES = ("text/plain", "application/toml")
Position = Annotated[int, PathParameter(ge=1, le=1000, description="Kursdagens nummer (från 1)")]
RegistrationId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="Anmälans id")]
Reason = Annotated[
    str | None,
    QueryParameter(description="Varför; står i mejlet till dem som berörs (högst 2000 tecken)"),
]


@dataclass
class _ScheduleFileOperation(Operation):
    """The schedule route reads its body itself (TOML, not JSON): say so in the document."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={
                media_type: OpenAPIMediaType(schema=Schema(type="string"))  # type: ignore[arg-type]
                for media_type in SCHEDULE_MEDIA_TYPES
            },
            description="Schemafilen (TOML, UTF-8), som i `courses seed`.",
            required=True,
        )


class AdminScheduleController(Controller):
    path = "/api/admin"
    tags = ("Administration",)
    dependencies = actor_dependency()

    @post(
        "/schedule",
        status_code=HTTP_200_OK,
        summary="Importera en schemafil (med dry_run=true: bara vad som skulle ändras)",
        request_max_body_size=TEXT_BODY_LIMIT,
        opt={TEXT_BODY: SCHEDULE_MEDIA_TYPES},
        operation_class=_ScheduleFileOperation,
        responses=problem_responses(400, 401, 403, 413, 415),
    )
    async def import_schedule(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        dry_run: FromQuery[bool] = False,
    ) -> ImportReportOut:
        raw = await request.body()
        return import_report_out(await import_uploaded_schedule(ctx, actor, raw, dry_run=dry_run))

    @patch(
        "/courses/{slug:str}",
        summary="Ändra, ställ in eller ändra platsantalet för en kurs",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415),
    )
    async def change_course(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: PathSegment,
        data: JSONBody[CoursePatch],
    ) -> CourseUpdateOut:
        update = await course_edits.change_course(ctx, actor, slug, _course_edit(data))
        return course_update_out(update, now=ctx.clock.now(), tz=ctx.tz)

    @patch(
        "/courses/{slug:str}/sessions/{position:int}",
        summary="Flytta en kursdag eller ändra dess plats",
        responses=problem_responses(400, 401, 403, 404, 413, 415),
    )
    async def change_session(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: PathSegment,
        position: Position,
        data: JSONBody[SessionPatch],
    ) -> CourseUpdateOut:
        edit = SessionEdit(day=data.date, start=data.start, end=data.end, place=data.place)
        update = await course_edits.change_session(ctx, actor, slug, position, edit)
        return course_update_out(update, now=ctx.clock.now(), tz=ctx.tz)

    @delete(
        "/courses/{slug:str}/sessions/{position:int}",
        status_code=HTTP_200_OK,
        summary="Ställ in en kursdag (den sista ställer in kursen)",
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def cancel_session(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: PathSegment,
        position: Position,
        reason: Reason = None,
    ) -> CourseUpdateOut:
        update = await course_edits.cancel_session(ctx, actor, slug, position, reason=reason)
        return course_update_out(update, now=ctx.clock.now(), tz=ctx.tz)

    @delete(
        "/registrations/{registration_id:int}",
        status_code=HTTP_200_OK,
        summary="Avanmäl någon (registranten får ett brev)",
        responses=problem_responses(400, 401, 403, 404),
    )
    async def cancel_registration(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        registration_id: RegistrationId,
        reason: Reason = None,
    ) -> RegistrationActionOut:
        outcome = await on_behalf.cancel_on_behalf(ctx, actor, registration_id, reason=reason)
        return registration_action_out(outcome)

    @post(
        "/registrations/{registration_id:int}/promote",
        status_code=HTTP_200_OK,
        summary="Flytta upp någon från reservlistan till en ledig plats",
        responses=problem_responses(400, 401, 403, 404, 409),
    )
    async def promote(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        registration_id: RegistrationId,
    ) -> RegistrationActionOut:
        outcome = await on_behalf.promote_by_hand(ctx, actor, registration_id)
        return registration_action_out(outcome)

    @post(
        "/registrations/{registration_id:int}/move",
        status_code=HTTP_200_OK,
        summary="Flytta någon till ett annat format (inom formatets platser)",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415),
    )
    async def move(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        registration_id: RegistrationId,
        data: JSONBody[MoveIn],
    ) -> RegistrationActionOut:
        outcome = await on_behalf.move_to_format(ctx, actor, registration_id, data.format)
        return registration_action_out(outcome)


def _course_edit(data: CoursePatch) -> CourseEdit:
    values = msgspec.structs.asdict(data)
    leaders = values.pop("leaders")
    status = values.pop("status")
    formats = values.pop("formats")
    reason = values.pop("reason")
    if reason is not msgspec.UNSET and status != "cancelled":
        message = 'En anledning hör bara till att ställa in kursen (status "cancelled").'
        raise InvalidInput(message, [FieldError("reason", message)])
    return CourseEdit(
        **values,
        leaders=leaders
        if leaders is msgspec.UNSET
        else [_leader(leader.name, leader.email) for leader in leaders],
        status=status if status is msgspec.UNSET else CourseStatus(status),
        format_seats={} if formats is msgspec.UNSET else formats,
        reason=None if reason is msgspec.UNSET else reason,
    )


def _leader(name: str, email: str | None) -> Leader:
    return {"name": name, "email": email} if email else {"name": name}
