"""Next year's drafts from this year's courses: `POST /api/admin/schedule/roll-forward`.

A dry run answers what the copies would be (new slug, dates, the holidays their sessions land
on) with 200 and writes nothing; without it the drafts are created (201). Admins only; a
course of another organizer is answered as an unknown one.
"""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from courses.api.http.openapi import problem_responses
from courses.api.staff_identity import actor_dependency
from courses.domain.calendar_shift import DEFAULT_WEEKS
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.schedule.roll_forward import CopyPlan, roll_forward
from courses.validation import Slug

__all__ = [
    "CourseCopyOut",
    "HolidayOut",
    "RollForwardController",
    "RollForwardIn",
    "RollForwardOut",
]


class RollForwardIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The courses to copy (by slug), how many weeks later (1–104; 52 keeps the weekdays),
    and whether only to preview the copies. The body limit (64 KiB) bounds the list."""

    courses: list[Slug]
    weeks: int = DEFAULT_WEEKS
    dry_run: bool = False


class HolidayOut(msgspec.Struct, kw_only=True):
    date: date
    name: str


class CourseCopyOut(msgspec.Struct, kw_only=True):
    source: str
    """The course copied."""
    slug: str
    title: str
    status: str
    sessions: list[date]
    deadline: date
    opens: date | None
    draw: date | None
    share_until: date | None
    holidays: list[HolidayOut]
    """The sessions' days that are a Swedish public holiday or day off, with its name."""


class RollForwardOut(msgspec.Struct, kw_only=True):
    dry_run: bool
    weeks: int
    courses: list[CourseCopyOut]


def roll_forward_out(plan: CopyPlan, *, weeks: int) -> RollForwardOut:
    return RollForwardOut(
        dry_run=not plan.created,
        weeks=weeks,
        courses=[
            CourseCopyOut(
                source=c.source,
                slug=c.slug,
                title=c.spec.title,
                status=c.spec.status,
                sessions=c.sessions,
                deadline=c.spec.deadline,
                opens=c.spec.opens,
                draw=c.draw,
                share_until=c.spec.share_until,
                holidays=[HolidayOut(date=h.day, name=h.name) for h in c.holidays],
            )
            for c in plan.copies
        ],
    )


class RollForwardController(Controller):
    path = "/api/admin/schedule"
    tags = ("Administration",)
    dependencies = actor_dependency()

    @post(
        "/roll-forward",
        summary="Kopiera kurser till nästa år som utkast (med dry_run: bara förhandsgranska)",
        responses=problem_responses(400, 401, 403, 413, 415),
    )
    async def roll_forward(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        data: JSONBody[RollForwardIn],
    ) -> Response[RollForwardOut]:
        plan = await roll_forward(ctx, actor, data.courses, weeks=data.weeks, dry_run=data.dry_run)
        status = HTTP_201_CREATED if plan.created else HTTP_200_OK
        return Response(roll_forward_out(plan, weeks=data.weeks), status_code=status)
