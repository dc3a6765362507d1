"""What tells whether an organizer's catalogue changed (its courses' revisions and seat
counters), and one page of courses chosen by organizer, month and state, with the filters and
the LIMIT in SQL.

Imports bump a course's revision whenever its definition changes (courses.storage.courses);
registering and cancelling move the counters of capped courses and formats. So equal marks
mean the catalogue's course records would load exactly as before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import and_, exists, false, func, literal, not_, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.paging import Window
from courses.domain.rules import CourseStatus, RegistrationState
from courses.storage.tables import course_table, format_table, session_table

__all__ = [
    "CatalogueMarks",
    "CourseFilter",
    "catalogue_marks",
    "course_ids_page",
    "course_organizer",
]

CatalogueMarks = tuple[tuple[int, int, int, int], ...]


def _marks_query(organizer_id: int | None) -> Any:
    course, fmt = course_table.c, format_table.c
    courses = select(
        course.organizer_id,
        literal(0).label("kind"),
        course.id,
        course.revision,
        course.confirmed_count,
    )
    formats = select(
        course.organizer_id, literal(1).label("kind"), fmt.id, fmt.course_id, fmt.confirmed_count
    ).join(course_table, course.id == fmt.course_id)
    if organizer_id is not None:
        courses = courses.where(course.organizer_id == organizer_id)
        formats = formats.where(course.organizer_id == organizer_id)
    return union_all(courses, formats)


async def catalogue_marks(
    conn: AsyncConnection, *, organizer_id: int | None = None
) -> dict[int, CatalogueMarks]:
    """The marks of each organizer's courses (of `organizer_id`'s only, if given): one
    query, through the index on the course's organizer, so one organizer's marks cost the
    same whatever the number of organizers. Sorted, so that equal catalogues give equal marks
    on every database; an organizer without courses is left out."""
    found: dict[int, list[tuple[int, int, int, int]]] = {}
    for owner, a, b, c, d in (await conn.execute(_marks_query(organizer_id))).all():
        found.setdefault(int(owner), []).append((int(a), int(b), int(c), int(d)))
    return {owner: tuple(sorted(rows)) for owner, rows in found.items()}


async def course_organizer(conn: AsyncConnection, slug: str) -> int | None:
    """The organizer of the course `slug`; None for an unknown slug."""
    found = await conn.execute(
        select(course_table.c.organizer_id).where(course_table.c.slug == slug)
    )
    return found.scalar_one_or_none()


_C = course_table.c
_F = format_table.c
_S = session_table.c

DRAFT = "draft"
"""The state filter's value for a course only staff see (beside RegistrationState's)."""


@dataclass(frozen=True, slots=True)
class CourseFilter:
    """Which courses: of these organizers (None: all), with a session in `month` (first and
    last day), in `state` at the local moment `today`/`clock`, drafts only if asked for."""

    today: date
    clock: time
    organizer_ids: Collection[int] | None = None
    month: tuple[date, date] | None = None
    state: RegistrationState | str | None = None
    drafts: bool = False


def _state_condition(state: str, *, today: date, clock: time) -> Any:
    """`CourseRecord.state` (courses.domain.rules.registration_state) as a condition, so that
    a page of one state can be counted and cut in SQL. Compared in local wall time, which is
    the instant's order except in the hour a clock is turned back."""
    published = _C.status == CourseStatus.PUBLISHED.value
    not_yet_open = and_(published, _C.opens.is_not(None), _C.opens > today)
    started = exists().where(
        _S.course_id == _C.id,
        or_(
            _S.day < today,
            and_(_S.day == today, or_(_S.start_time.is_(None), _S.start_time <= clock)),
        ),
    )
    taking = and_(
        published, or_(_C.opens.is_(None), _C.opens <= today), _C.deadline >= today, not_(started)
    )
    room = and_(
        or_(_C.seats.is_(None), _C.confirmed_count < _C.seats),
        exists().where(
            _F.course_id == _C.id, or_(_F.seats.is_(None), _F.confirmed_count < _F.seats)
        ),
    )
    is_open = and_(taking, room)
    waitlist = and_(taking, not_(room), _C.waitlist.is_(True))
    conditions = {
        DRAFT: _C.status == CourseStatus.DRAFT.value,
        RegistrationState.CANCELLED.value: _C.status == CourseStatus.CANCELLED.value,
        RegistrationState.NOT_YET_OPEN.value: not_yet_open,
        RegistrationState.OPEN.value: is_open,
        RegistrationState.WAITLIST.value: waitlist,
        RegistrationState.CLOSED.value: and_(
            published, not_(not_yet_open), not_(is_open), not_(waitlist)
        ),
    }
    return conditions[str(state)]


def _first_day() -> Any:
    """What `load_courses` orders by: the first session's day, else the deadline."""
    first = select(func.min(_S.day)).where(_S.course_id == _C.id).scalar_subquery()
    return func.coalesce(first, _C.deadline)


def _where(chosen: CourseFilter) -> list[Any]:
    found: list[Any] = []
    if not chosen.drafts:
        found.append(_C.status != CourseStatus.DRAFT.value)
    if chosen.organizer_ids is not None:
        found.append(_C.organizer_id.in_(chosen.organizer_ids) if chosen.organizer_ids else false())
    if chosen.month is not None:
        first, last = chosen.month
        found.append(exists().where(_S.course_id == _C.id, _S.day.between(first, last)))
    if chosen.state is not None:
        found.append(_state_condition(chosen.state, today=chosen.today, clock=chosen.clock))
    return found or [true()]


async def course_ids_page(
    conn: AsyncConnection, chosen: CourseFilter, window: Window
) -> tuple[list[int], int]:
    """The ids of one page of the chosen courses, earliest first (as `load_courses` orders
    them), and how many are chosen in all: two statements, however many courses there are."""
    where = _where(chosen)
    total = (
        await conn.execute(select(func.count()).select_from(course_table).where(*where))
    ).scalar_one()
    ids = await conn.execute(
        select(_C.id)
        .where(*where)
        .order_by(_first_day(), _C.slug)
        .limit(window.limit)
        .offset(window.offset)
    )
    return list(ids.scalars()), int(total)
