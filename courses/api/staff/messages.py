"""`POST /api/courses/{slug}/messages`: a course's leaders and admins write to its people.

The same service as the page (`courses.services.attendance.messages`); a send (not a dry run)
is rate limited per sender, counted once it has gone out, so a refused draft costs nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import Body

from courses.api.http.openapi import problem_responses
from courses.api.http.paths import PathSegment
from courses.api.http.ratelimit import rate_limits
from courses.api.staff.schemas import MessageIn, MessageOut
from courses.api.staff_identity import actor_dependency
from courses.domain.messages import MessageDraft
from courses.domain.permissions import Actor
from courses.services.attendance.messages import write_to_course
from courses.services.context import ServiceContext

__all__ = ["MessageController"]


class MessageController(Controller):
    path = "/api/courses"
    tags = ("Kursledare",)
    dependencies = actor_dependency()

    @post(
        "/{slug:str}/messages",
        summary="Skriv till kursens deltagare",
        description=(
            "Ett mejl till var och en i gruppen (`all`: alla med en aktiv anmälan, `confirmed`, "
            "`waitlisted`, `session`: de med plats, om kursdag `session`), med mottagarens egen "
            "länk till sin anmälan. `dry_run` räknar bara mottagarna. Utskick (inte `dry_run`) "
            "är begränsade per avsändare."
        ),
        status_code=200,
        responses=problem_responses(400, 401, 404, 413, 415, 429),
    )
    async def send(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: PathSegment,
        data: Annotated[MessageIn, Body()],
    ) -> MessageOut:
        draft = MessageDraft(data.to, data.subject, data.text, data.session)
        limits = rate_limits(request)
        if not data.dry_run:
            await limits.check_message(actor)
        outcome = await write_to_course(ctx, actor, slug, draft, dry_run=data.dry_run)
        if not data.dry_run:
            await limits.count_message(actor)
        return MessageOut(recipients=outcome.recipients)
