"""Courses as the services read them: one course with its formats and sessions.

Loading is three small queries (courses, formats, sessions) rather than ORM relationships,
which would lazy-load in async code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import CourseStatus, CourseTiming, RegistrationState
from courses.domain.rules import registration_state as state_of
from courses.domain.rules import seats_left as free_seats
from courses.domain.timing import SessionTime
from courses.storage.tables import course_table, format_table, session_table

__all__ = ["CourseRecord", "FormatRecord", "SessionRecord", "load_course", "load_courses"]


@dataclass(frozen=True, slots=True)
class FormatRecord:
    id: int
    key: str
    kind: str
    place: str | None
    seats: int | None
    meeting_url: str | None
    confirmed_count: int

    @property
    def seats_left(self) -> int | None:
        return free_seats(self.seats, self.confirmed_count)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    position: int
    day: date
    start_time: time | None
    end_time: time | None
    place: str | None

    @property
    def time(self) -> SessionTime:
        return SessionTime(self.day, self.start_time, self.end_time)

    def where(self, fmt: FormatRecord) -> str | None:
        """Where someone in `fmt` attends: the meeting link for digital, else the place.

        The link is for the digital format's registrants only; None when nothing is known.
        """
        if fmt.kind == "digital":
            return fmt.meeting_url
        return self.place or fmt.place


@dataclass(frozen=True, slots=True)
class CourseRecord:
    id: int
    slug: str
    title: str
    description: str | None
    leaders: list[dict[str, str]]
    deadline: date
    opens: date | None
    seats: int | None
    waitlist: bool
    info_url: str | None
    status: CourseStatus
    confirmed_count: int
    revision: int
    calendar_sequence: int
    formats: Sequence[FormatRecord]
    sessions: Sequence[SessionRecord]

    @property
    def timing(self) -> CourseTiming:
        return CourseTiming(
            status=self.status,
            deadline=self.deadline,
            opens=self.opens,
            sessions=[s.time for s in self.sessions],
        )

    @property
    def seats_left(self) -> int | None:
        return free_seats(self.seats, self.confirmed_count)

    def format_by_key(self, key: str) -> FormatRecord:
        return next(f for f in self.formats if f.key == key)

    def has_room(self, fmt: FormatRecord | None = None) -> bool:
        def room(left: int | None) -> bool:
            return left is None or left > 0

        if not room(self.seats_left):
            return False
        formats = [fmt] if fmt is not None else self.formats
        return any(room(f.seats_left) for f in formats)

    def state(self, *, now: datetime, tz: ZoneInfo) -> RegistrationState:
        return state_of(
            self.timing, has_room=self.has_room(), waitlist=self.waitlist, now=now, tz=tz
        )


def _course(row: Any, formats: list[FormatRecord], sessions: list[SessionRecord]) -> CourseRecord:
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
        formats=formats,
        sessions=sorted(sessions, key=lambda s: (s.day, s.start_time or time(0), s.position)),
    )


async def load_courses(
    conn: AsyncConnection, *, slug: str | None = None, ids: Collection[int] | None = None
) -> list[CourseRecord]:
    """Courses with their formats and sessions, ordered by first session; a slug, ids or all."""
    courses = select(course_table)
    formats = select(format_table).order_by(format_table.c.course_id, format_table.c.position)
    sessions = select(session_table).order_by(session_table.c.course_id, session_table.c.position)
    if ids is not None:
        courses = courses.where(course_table.c.id.in_(ids))
        formats = formats.where(format_table.c.course_id.in_(ids))
        sessions = sessions.where(session_table.c.course_id.in_(ids))
    if slug is not None:
        courses = courses.where(course_table.c.slug == slug)
        by_slug = select(course_table.c.id).where(course_table.c.slug == slug).scalar_subquery()
        formats = formats.where(format_table.c.course_id == by_slug)
        sessions = sessions.where(session_table.c.course_id == by_slug)
    course_rows = (await conn.execute(courses)).all()
    if not course_rows:
        return []
    by_course_formats: dict[int, list[FormatRecord]] = defaultdict(list)
    for row in await conn.execute(formats):
        by_course_formats[row.course_id].append(
            FormatRecord(
                id=row.id,
                key=row.key,
                kind=row.kind,
                place=row.place,
                seats=row.seats,
                meeting_url=row.meeting_url,
                confirmed_count=row.confirmed_count,
            )
        )
    by_course_sessions: dict[int, list[SessionRecord]] = defaultdict(list)
    for row in await conn.execute(sessions):
        by_course_sessions[row.course_id].append(
            SessionRecord(
                position=row.position,
                day=row.day,
                start_time=row.start_time,
                end_time=row.end_time,
                place=row.place,
            )
        )
    records = [
        _course(row, by_course_formats[row.id], by_course_sessions[row.id]) for row in course_rows
    ]
    records.sort(key=lambda c: (c.sessions[0].day if c.sessions else c.deadline, c.slug))
    return records


async def load_course(conn: AsyncConnection, slug: str) -> CourseRecord | None:
    found = await load_courses(conn, slug=slug)
    return found[0] if found else None
