"""Counts per course and per employer for the admins' statistics: two GROUP BY queries, each
restricted to the admin's organizers and read through indexes on them (the organizer's
courses, its employers' registrations), so one organizer's statistics cost the same whatever
the number of organizers.

`attended` counts registrations with at least one session marked attended. The counts read
only `status` and the attendance marks, which the retention purge keeps.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import RegistrationStatus
from courses.storage.staff_tables import attendance_table
from courses.storage.tables import course_table, employer_table, registration_table

__all__ = ["Counts", "CourseCounts", "EmployerCounts", "course_counts", "employer_counts"]

_REG = registration_table.c


@dataclass(frozen=True, slots=True, kw_only=True)
class Counts:
    registered: int
    confirmed: int
    pending_approval: int
    """Holding a seat while the manager has not answered yet."""
    applied: int
    """Applications to a lottery that is not drawn yet."""
    offered: int
    """Holding a seat offered from the waitlist until they answer (or the offer lapses)."""
    waitlisted: int
    cancelled: int
    transferred: int
    """Handed their seat on to a colleague, whose registration is counted on its own; not
    cancelled: the seat stayed taken."""
    attended: int

    @property
    def held(self) -> int:
        """The seats taken: confirmed, those held while the manager decides, and those held
        for someone offered a seat from the waitlist."""
        return self.confirmed + self.pending_approval + self.offered


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseCounts(Counts):
    slug: str
    title: str
    status: str
    seats: int | None
    deadline: date
    per_employer: int | None
    """Fair seats: at most this many held seats per employer until `share_until`."""
    share_until: date | None
    """The share's last day as the schedule gives it (None: the deadline)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EmployerCounts(Counts):
    key: str
    name: str
    kind: str


# Probed per registration through attendance's primary key, so one organizer's counts read
# only its own registrations' marks (a join to every attended registration of the deployment,
# made distinct first, would grow with the country).
_ATTENDED = exists().where(
    attendance_table.c.registration_id == _REG.id, attendance_table.c.attended == true()
)


def _with_status(status: RegistrationStatus) -> ColumnElement[int]:
    return func.count(_REG.id).filter(_REG.status == status.value)


_COUNTS = (
    func.count(_REG.id).label("registered"),
    _with_status(RegistrationStatus.CONFIRMED).label("confirmed"),
    _with_status(RegistrationStatus.PENDING_APPROVAL).label("pending_approval"),
    _with_status(RegistrationStatus.APPLIED).label("applied"),
    _with_status(RegistrationStatus.OFFERED).label("offered"),
    _with_status(RegistrationStatus.WAITLISTED).label("waitlisted"),
    _with_status(RegistrationStatus.CANCELLED).label("cancelled"),
    _with_status(RegistrationStatus.TRANSFERRED).label("transferred"),
    func.count(_REG.id).filter(_ATTENDED).label("attended"),
)


def _scoped(query: Select[Any], owner: Any, organizer_ids: Collection[int] | None) -> Select[Any]:
    return query if organizer_ids is None else query.where(owner.in_(organizer_ids))


async def course_counts(
    conn: AsyncConnection, *, organizer_ids: Collection[int] | None
) -> list[CourseCounts]:
    """Every course of the organizers (None: all), those without registrations too, by slug."""
    c = course_table.c
    columns = (c.slug, c.title, c.status, c.seats, c.deadline, c.per_employer, c.share_until)
    query = (
        select(*columns, *_COUNTS)
        .select_from(course_table)
        .outerjoin(registration_table, _REG.course_id == c.id)
        .group_by(c.id, *columns)
        .order_by(c.slug)
    )
    found = await conn.execute(_scoped(query, c.organizer_id, organizer_ids))
    return [CourseCounts(**row._asdict()) for row in found.all()]


async def employer_counts(
    conn: AsyncConnection, *, organizer_ids: Collection[int] | None
) -> list[EmployerCounts]:
    """Every employer of the organizers (None: all), over all their courses, by key."""
    e = employer_table.c
    query = (
        select(e.key, e.name, e.kind, *_COUNTS)
        .select_from(employer_table)
        .outerjoin(registration_table, _REG.employer_id == e.id)
        .group_by(e.id, e.key, e.name, e.kind)
        .order_by(e.key)
    )
    found = await conn.execute(_scoped(query, e.organizer_id, organizer_ids))
    return [EmployerCounts(**row._asdict()) for row in found.all()]
