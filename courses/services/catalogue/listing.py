"""What anyone may read: courses with their current registration state, and employers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.employers import EmployerRecord
from courses.domain.errors import CourseNotFound
from courses.domain.paging import Page, Window
from courses.domain.rules import CourseStatus, RegistrationState
from courses.services.catalogue.organizers import unknown_organizer
from courses.services.context import ServiceContext
from courses.storage.catalogue import CourseFilter, course_ids_page
from courses.storage.courses import load_course, load_courses
from courses.storage.employers import all_employers
from courses.storage.organizers import organizer_by_key

__all__ = [
    "CourseListing",
    "course_page",
    "get_course",
    "list_courses",
    "list_employers",
    "load_page",
    "public",
    "unknown_course",
]


@dataclass(frozen=True, slots=True)
class CourseListing:
    course: CourseRecord
    state: RegistrationState


def public(course: CourseRecord | None) -> bool:
    """Whether anyone may see the course: a draft is for staff only."""
    return course is not None and course.status is not CourseStatus.DRAFT


def unknown_course(slug: str) -> CourseNotFound:
    """What a visitor hears of a course that does not exist, or is a draft."""
    return CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")


async def list_courses(ctx: ServiceContext, *, organizer: str | None = None) -> list[CourseListing]:
    """Every published or cancelled course (of the organizer with the key `organizer`, if
    given: ItemNotFound for an unknown key), earliest first, with what a visitor can do with
    it now (drafts are left out)."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        organizer_id = None
        if organizer is not None:
            found = await organizer_by_key(conn, organizer)
            if found is None:
                raise unknown_organizer(organizer)
            organizer_id = found.id
        courses = await load_courses(conn)
    return [
        CourseListing(c, c.state(now=now, tz=ctx.tz))
        for c in courses
        if public(c) and organizer_id in (None, c.organizer_id)
    ]


async def course_page(
    ctx: ServiceContext,
    window: Window,
    *,
    organizer: str | None = None,
    month: tuple[date, date] | None = None,
    state: RegistrationState | None = None,
) -> Page[CourseListing]:
    """One page of what `list_courses` lists, narrowed to a month (a session in it) and a
    state; chosen, counted and cut by the database, so a page costs the same for one county
    as for the country. ItemNotFound for an unknown organizer."""
    now = ctx.clock.now()
    local = now.astimezone(ctx.tz)
    async with ctx.db.read() as conn:
        organizer_ids = None
        if organizer is not None:
            found = await organizer_by_key(conn, organizer)
            if found is None:
                raise unknown_organizer(organizer)
            organizer_ids = [found.id]
        chosen = CourseFilter(
            today=local.date(),
            clock=local.time(),
            organizer_ids=organizer_ids,
            month=month,
            state=state,
        )
        courses = await load_page(conn, chosen, window)
    return courses.map(lambda c: CourseListing(c, c.state(now=now, tz=ctx.tz)))


async def load_page(
    conn: AsyncConnection, chosen: CourseFilter, window: Window
) -> Page[CourseRecord]:
    """The chosen courses of one window, in the database's order, with their count."""
    ids, total = await course_ids_page(conn, chosen, window)
    return Page(_in_order(await load_courses(conn, ids=ids), ids) if ids else [], total, window)


def _in_order(courses: Sequence[CourseRecord], ids: list[int]) -> list[CourseRecord]:
    # The page's order is the database's: slugs tied on a day may collate differently there.
    by_id = {c.id: c for c in courses}
    return [by_id[i] for i in ids if i in by_id]


async def get_course(ctx: ServiceContext, slug: str) -> CourseListing:
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    if course is None or not public(course):
        raise unknown_course(slug)
    return CourseListing(course, course.state(now=now, tz=ctx.tz))


async def list_employers(
    ctx: ServiceContext, *, organizer_id: int | None = None
) -> list[EmployerRecord]:
    """Employers whose staff may register (for one organizer's courses, or all; retired ones
    left out), the region first, then by name (plain Unicode order is right here: only Å/Ä/Ö
    sort after Z)."""
    async with ctx.db.read() as conn:
        employers = await all_employers(conn, organizer_id=organizer_id, active_only=True)
    return sorted(employers, key=lambda e: (e.kind != "region", e.name))
