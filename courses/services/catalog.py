"""What anyone may read: courses with their current registration state, and employers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from courses.domain.errors import CourseNotFound
from courses.domain.rules import RegistrationState
from courses.services.context import ServiceContext
from courses.services.records import CourseRecord, load_course, load_courses
from courses.storage.tables import employer_table

__all__ = ["CourseListing", "EmployerView", "get_course", "list_courses", "list_employers"]


@dataclass(frozen=True, slots=True)
class CourseListing:
    course: CourseRecord
    state: RegistrationState


@dataclass(frozen=True, slots=True)
class EmployerView:
    key: str
    name: str
    kind: str
    domains: list[str]


async def list_courses(ctx: ServiceContext) -> list[CourseListing]:
    """Every course, earliest first, with what a visitor can do with it now."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        courses = await load_courses(conn)
    return [CourseListing(c, c.state(now=now, tz=ctx.tz)) for c in courses]


async def get_course(ctx: ServiceContext, slug: str) -> CourseListing:
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    if course is None:
        raise CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")
    return CourseListing(course, course.state(now=now, tz=ctx.tz))


async def list_employers(ctx: ServiceContext) -> list[EmployerView]:
    """Employers whose staff may register, by name (Swedish collation is not needed here:
    the names sort right as Unicode text except Å/Ä/Ö, which sort last as they should)."""
    async with ctx.db.read() as conn:
        rows = (await conn.execute(select(employer_table))).all()
    views = [EmployerView(r.key, r.name, r.kind, list(r.domains)) for r in rows]
    return sorted(views, key=lambda e: (e.kind != "region", e.name))
