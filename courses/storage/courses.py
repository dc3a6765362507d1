"""Courses with their formats and sessions: loading them, locking a course, bumping its
revision and its calendar sequence.

Loading is three small queries (courses, formats, sessions) rather than ORM relationships,
which would lazy-load in async code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatKind, FormatRecord, SessionRecord
from courses.domain.rules import CourseStatus
from courses.storage.course_leaders import set_course_leaders
from courses.storage.tables import course_table, format_table, session_table

__all__ = [
    "bump_calendar_sequence",
    "bump_revision",
    "bump_revisions",
    "course_ids_with_sessions_between",
    "course_record",
    "courses_by_slugs",
    "load_course",
    "load_courses",
    "lock_course",
    "slugs_in_use",
]

_COURSE = course_table.c


def course_record(
    row: Any, format_rows: Iterable[Any], session_rows: Iterable[Any]
) -> CourseRecord:
    """A course from its row and the rows of its formats (in position order) and sessions."""
    return CourseRecord(
        id=row.id,
        slug=row.slug,
        title=row.title,
        description=row.description,
        leaders=list(row.leaders),
        deadline=row.deadline,
        opens=row.opens,
        seats=row.seats,
        waitlist=row.waitlist,
        info_url=row.info_url,
        status=CourseStatus(row.status),
        confirmed_count=row.confirmed_count,
        revision=row.revision,
        calendar_sequence=row.calendar_sequence,
        formats=[_format(f) for f in format_rows],
        sessions=sorted(
            (_session(s) for s in session_rows),
            key=lambda s: (s.day, s.start_time or time(0), s.position),
        ),
        organizer_id=row.organizer_id,
        approval_days=row.approval_days,
        allocation=row.allocation,
        draw_on=row.draw_on,
        drawn_at=row.drawn_at,
        per_employer=row.per_employer,
        share_until=row.share_until,
        offer_hours=row.offer_hours,
        offer_until_hours=row.offer_until_hours,
    )


def _format(row: Any) -> FormatRecord:
    return FormatRecord(
        id=row.id,
        key=row.key,
        kind=FormatKind(row.kind),
        place=row.place,
        seats=row.seats,
        meeting_url=row.meeting_url,
        confirmed_count=row.confirmed_count,
    )


def _session(row: Any) -> SessionRecord:
    return SessionRecord(
        position=row.position,
        day=row.day,
        start_time=row.start_time,
        end_time=row.end_time,
        place=row.place,
    )


async def load_courses(
    conn: AsyncConnection,
    *,
    slug: str | None = None,
    ids: Collection[int] | None = None,
    organizer_ids: Collection[int] | None = None,
) -> list[CourseRecord]:
    """Courses with their formats and sessions, ordered by first session; a slug, ids, the
    organizers' or all."""
    courses = select(course_table)
    formats = select(format_table).order_by(format_table.c.course_id, format_table.c.position)
    sessions = select(session_table).order_by(session_table.c.course_id, session_table.c.position)
    if organizer_ids is not None:
        theirs = select(_COURSE.id).where(_COURSE.organizer_id.in_(organizer_ids))
        courses = courses.where(_COURSE.organizer_id.in_(organizer_ids))
        formats = formats.where(format_table.c.course_id.in_(theirs))
        sessions = sessions.where(session_table.c.course_id.in_(theirs))
    if ids is not None:
        courses = courses.where(_COURSE.id.in_(ids))
        formats = formats.where(format_table.c.course_id.in_(ids))
        sessions = sessions.where(session_table.c.course_id.in_(ids))
    if slug is not None:
        courses = courses.where(_COURSE.slug == slug)
        by_slug = select(_COURSE.id).where(_COURSE.slug == slug).scalar_subquery()
        formats = formats.where(format_table.c.course_id == by_slug)
        sessions = sessions.where(session_table.c.course_id == by_slug)
    course_rows = (await conn.execute(courses)).all()
    if not course_rows:
        return []
    by_course_formats: dict[int, list[Any]] = defaultdict(list)
    for row in await conn.execute(formats):
        by_course_formats[row.course_id].append(row)
    by_course_sessions: dict[int, list[Any]] = defaultdict(list)
    for row in await conn.execute(sessions):
        by_course_sessions[row.course_id].append(row)
    records = [
        course_record(row, by_course_formats[row.id], by_course_sessions[row.id])
        for row in course_rows
    ]
    records.sort(key=lambda c: (c.sessions[0].day if c.sessions else c.deadline, c.slug))
    return records


async def load_course(conn: AsyncConnection, slug: str) -> CourseRecord | None:
    found = await load_courses(conn, slug=slug)
    return found[0] if found else None


async def course_ids_with_sessions_between(
    conn: AsyncConnection, first: date, last: date
) -> set[int]:
    """Courses with a session on a day from `first` to `last`, inclusive."""
    found = await conn.execute(
        select(session_table.c.course_id).where(session_table.c.day.between(first, last)).distinct()
    )
    return set(found.scalars().all())


async def lock_course(
    conn: AsyncConnection, course_id: int, *, take_queue_number: bool = False
) -> int | None:
    """Write the course row first, so that writers of one course queue on its lock.

    With `take_queue_number` the course's queue counter is bumped and the new number returned
    (None if the course is cancelled); the number orders the waitlist. Otherwise the row is
    just locked and its current counter returned (None if there is no such course).
    """
    statement = update(course_table).where(_COURSE.id == course_id)
    if take_queue_number:
        statement = statement.where(_COURSE.status == CourseStatus.PUBLISHED.value).values(
            queue_counter=_COURSE.queue_counter + 1
        )
    else:
        statement = statement.values(queue_counter=_COURSE.queue_counter)
    row = (await conn.execute(statement.returning(_COURSE.queue_counter))).first()
    return None if row is None else int(row[0])


async def bump_revision(
    conn: AsyncConnection, course_id: int, *, now: datetime, **values: Any
) -> None:
    """Record a change of the course's definition (with its new `values`, if any).

    Every writer that changes what registering depends on (fields, formats, sessions, caps)
    must call this (or `bump_revisions`): each process caches course definitions and trusts
    them only while the revision in the row still matches (`courses.services.definitions`).
    """
    await bump_revisions(conn, {course_id: values}, now=now)


async def bump_revisions(
    conn: AsyncConnection, values_by_course: Mapping[int, Mapping[str, Any]], *, now: datetime
) -> None:
    """`bump_revision` of many courses in one statement: {course id: its new values}, every
    course with the same columns (an import sets all of a course's fields). New `leaders` are
    written to `course_leader` too, so the leaders' look-ups stay in step."""
    if not values_by_course:
        return
    columns = list(next(iter(values_by_course.values())))
    statement = (
        update(course_table)
        .where(_COURSE.id == bindparam("bump_id"))
        .values(
            updated_at=now,
            revision=_COURSE.revision + 1,
            **{column: bindparam(f"bump_{column}") for column in columns},
        )
    )
    rows = []
    for course_id, values in values_by_course.items():
        assert list(values) == columns, "every course of one bump sets the same columns"
        rows.append({"bump_id": course_id, **{f"bump_{k}": v for k, v in values.items()}})
    await conn.execute(statement, rows)
    if "leaders" in columns:
        await set_course_leaders(
            conn, {course_id: values["leaders"] for course_id, values in values_by_course.items()}
        )


async def bump_calendar_sequence(conn: AsyncConnection, course_id: int) -> None:
    """Raise the SEQUENCE of every calendar event of the course (a reschedule, RFC 5545).

    By two: a CANCEL goes out at the sequence + 1 (courses.calendar), and the next update
    must outrank it (a reopened course, a session added back).
    """
    await conn.execute(
        update(course_table)
        .where(_COURSE.id == course_id)
        .values(calendar_sequence=_COURSE.calendar_sequence + 2)
    )


async def courses_by_slugs(conn: AsyncConnection, slugs: Collection[str]) -> list[CourseRecord]:
    """The stored courses among `slugs` (a slug not stored is left out), without locking."""
    ids: list[int] = []
    wanted = sorted(set(slugs))
    for start in range(0, len(wanted), 500):  # an IN list well under the parameter limits
        found = await conn.execute(
            select(_COURSE.id).where(_COURSE.slug.in_(wanted[start : start + 500]))
        )
        ids += found.scalars().all()
    return await load_courses(conn, ids=ids) if ids else []


async def slugs_in_use(conn: AsyncConnection) -> set[str]:
    """Every course slug of the deployment (slugs are unique across organizers)."""
    return set((await conn.execute(select(_COURSE.slug))).scalars().all())
