"""Reading the outbox back in service tests: who hears what, with which invite."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec
from sqlalchemy import func, select

from courses.schedule.spec import CourseSpec, Schedule
from courses.services.context import ServiceContext
from courses.storage.tables import course_table, outbox_table

ASI = "asi-grund-2022"  # four all-day sessions, four seats, a waitlist
ALL_PARTS = [1, 2, 3, 4]


class Mail(NamedTuple):
    registration_id: int
    kind: str
    part: int | None
    method: str | None
    payload: dict[str, Any]


async def outbox_mark(ctx: ServiceContext) -> int:
    """The id of the newest outbox row; rows written later have greater ids."""
    async with ctx.db.read() as conn:
        return int((await conn.execute(select(func.max(outbox_table.c.id)))).scalar() or 0)


async def mails_since(ctx: ServiceContext, mark: int = 0, *, kind: str | None = None) -> list[Mail]:
    out = outbox_table.c
    query = select(out.registration_id, out.kind, out.part, out.method, out.payload).where(
        out.id > mark
    )
    if kind is not None:
        query = query.where(out.kind == kind)
    async with ctx.db.read() as conn:
        rows = await conn.execute(query.order_by(out.id))
        return [Mail(*row) for row in rows.all()]


def addressed_to(
    mails: list[Mail], registration_id: int
) -> list[tuple[str, int | None, str | None]]:
    """(kind, part, method) of one registration's mails."""
    return [(m.kind, m.part, m.method) for m in mails if m.registration_id == registration_id]


async def calendar_sequence(ctx: ServiceContext, slug: str) -> int:
    async with ctx.db.read() as conn:
        found = await conn.execute(
            select(course_table.c.calendar_sequence).where(course_table.c.slug == slug)
        )
        return int(found.scalar_one())


def with_course(schedule: Schedule, slug: str, **changes: object) -> Schedule:
    """`schedule` with just the course `slug` changed (and only that course in it)."""
    (course,) = [c for c in schedule.course if c.slug == slug]
    return Schedule(course=[msgspec.structs.replace(course, **changes)])


def asi_spec(schedule: Schedule) -> CourseSpec:
    return next(c for c in schedule.course if c.slug == ASI)
