"""A course's attendee list and its attendance marks: the leaders' reads and writes.

The list is two statements (registrations with employer and format, then the marks), however
many people: an export of ten thousand rows costs the same two round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from courses.domain.offers import OfferOutcome
from courses.domain.paging import Window
from courses.domain.rules import RegistrationStatus
from courses.storage.staff_tables import attendance_table
from courses.storage.tables import employer_table, registration_table

__all__ = [
    "AttendeeRecord",
    "Mark",
    "attended_positions",
    "attendees",
    "save_marks",
    "status_counts",
    "statuses_in_course",
]

_REG = registration_table.c
_MARK = attendance_table.c


@dataclass(frozen=True, slots=True)
class AttendeeRecord:
    id: int
    name: str
    email: str
    phone: str | None
    employer: str
    workplace: str
    format_id: int | None
    status: RegistrationStatus
    queue_no: int
    created_at: datetime
    attendance: dict[int, bool]
    manager_email: str | None = None
    """The manager who approves, on a course that asks for it."""
    waitlist_position: int | None = None
    """The place on the waitlist (1 first), for a waiting registration."""
    offered_at: datetime | None = None
    offer_due_at: datetime | None = None
    offer_outcome: OfferOutcome | None = None
    """A seat offered from the waitlist: when, until when, and how the offer ended (None
    while it is open); `courses.domain.offers`."""
    replaces: str | None = None
    """The name of the colleague who handed this registration their seat."""
    replaced_by: str | None = None
    """The name of the colleague this (transferred) registration handed its seat to."""


@dataclass(frozen=True, slots=True)
class Mark:
    registration_id: int
    session_position: int
    attended: bool


# Confirmed (and those holding a seat until their manager answers) first, then those a seat
# is held for until they answer an offer (the next to come in), then the waitlist in queue
# order, then the rest (cancelled, handed on to a colleague).
_ORDER = case(
    (_REG.status == RegistrationStatus.CONFIRMED.value, 0),
    (_REG.status == RegistrationStatus.PENDING_APPROVAL.value, 0),
    (_REG.status == RegistrationStatus.OFFERED.value, 1),
    (_REG.status == RegistrationStatus.WAITLISTED.value, 2),
    else_=3,
)

_LEFT = (RegistrationStatus.CANCELLED.value, RegistrationStatus.TRANSFERRED.value)

# A transfer's two rows: the one replaced (by `replaces_id`) and the one replacing it.
_REPLACED = aliased(registration_table, name="replaced")
_SUCCESSOR = aliased(registration_table, name="successor")
_REPLACED_BY = (
    select(_SUCCESSOR.c.name)
    .where(_SUCCESSOR.c.replaces_id == _REG.id)
    .order_by(_SUCCESSOR.c.id)
    .limit(1)
    .scalar_subquery()
)


# The place in the queue is counted over the whole waitlist, so that a page of the list shows
# the same places as the whole list does.
_PLACE = case(
    (
        _REG.status == RegistrationStatus.WAITLISTED.value,
        func.row_number().over(partition_by=_REG.status, order_by=(_REG.queue_no, _REG.id)),
    ),
    else_=None,
)


async def attendees(
    conn: AsyncConnection,
    course_id: int,
    *,
    with_cancelled: bool = True,
    window: Window | None = None,
) -> list[AttendeeRecord]:
    """The course's registrations in list order (all, or one window of them), with their
    waitlist places and attendance marks."""
    query = (
        select(
            _REG.id,
            _REG.name,
            _REG.email,
            _REG.phone,
            employer_table.c.name.label("employer"),
            _REG.workplace,
            _REG.format_id,
            _REG.status,
            _REG.queue_no,
            _REG.created_at,
            _REG.manager_email,
            _PLACE.label("place"),
            _REG.offered_at,
            _REG.offer_due_at,
            _REG.offer_outcome,
            _REPLACED.c.name.label("replaces"),
            _REPLACED_BY.label("replaced_by"),
        )
        .join(employer_table, employer_table.c.id == _REG.employer_id)
        .outerjoin(_REPLACED, _REPLACED.c.id == _REG.replaces_id)
        .where(_REG.course_id == course_id)
        .order_by(_ORDER, _REG.queue_no, _REG.id)
    )
    if not with_cancelled:  # nor those who handed their seat on: neither is coming
        query = query.where(_REG.status.not_in(_LEFT))
    if window is not None:
        query = query.limit(window.limit).offset(window.offset)
    rows = (await conn.execute(query)).all()
    marks: dict[int, dict[int, bool]] = defaultdict(dict)
    marked = (
        select(_MARK.registration_id, _MARK.session_position, _MARK.attended)
        .join(registration_table, _REG.id == _MARK.registration_id)
        .where(_REG.course_id == course_id)
    )
    if window is not None:
        marked = marked.where(_MARK.registration_id.in_([row.id for row in rows]))
    found = await conn.execute(marked)
    for registration_id, position, attended in found.all():
        marks[registration_id][position] = bool(attended)
    return [
        AttendeeRecord(
            id=row.id,
            name=row.name,
            email=row.email,
            phone=row.phone,
            employer=row.employer,
            workplace=row.workplace,
            format_id=row.format_id,
            status=RegistrationStatus(row.status),
            queue_no=row.queue_no,
            created_at=row.created_at,
            attendance=marks.get(row.id, {}),
            manager_email=row.manager_email,
            waitlist_position=row.place,
            offered_at=row.offered_at,
            offer_due_at=row.offer_due_at,
            offer_outcome=None if row.offer_outcome is None else OfferOutcome(row.offer_outcome),
            replaces=row.replaces,
            replaced_by=row.replaced_by,
        )
        for row in rows
    ]


async def status_counts(conn: AsyncConnection, course_id: int) -> dict[RegistrationStatus, int]:
    """How many of the course's registrations have each status (those with none left out)."""
    found = await conn.execute(
        select(_REG.status, func.count()).where(_REG.course_id == course_id).group_by(_REG.status)
    )
    return {RegistrationStatus(status): int(count) for status, count in found.all()}


async def statuses_in_course(
    conn: AsyncConnection, course_id: int, ids: Sequence[int]
) -> dict[int, RegistrationStatus]:
    """The status of each of `ids` that belongs to the course (others are left out)."""
    found = await conn.execute(
        select(_REG.id, _REG.status).where(_REG.course_id == course_id, _REG.id.in_(ids))
    )
    return {int(id_): RegistrationStatus(status) for id_, status in found.all()}


async def save_marks(
    conn: AsyncConnection, marks: Sequence[Mark], *, now: datetime, by: str
) -> None:
    """Set each mark, replacing an earlier one (the same on SQLite and PostgreSQL)."""
    if not marks:
        return
    for mark in marks:
        await conn.execute(
            attendance_table.delete().where(
                and_(
                    _MARK.registration_id == mark.registration_id,
                    _MARK.session_position == mark.session_position,
                )
            )
        )
    await conn.execute(
        attendance_table.insert(),
        [
            {
                "registration_id": m.registration_id,
                "session_position": m.session_position,
                "attended": m.attended,
                "marked_at": now,
                "marked_by": by,
            }
            for m in marks
        ],
    )


async def attended_positions(conn: AsyncConnection, registration_id: int) -> frozenset[int]:
    """The sessions (by position) the registration is marked as having attended."""
    found = await conn.execute(
        select(_MARK.session_position).where(
            _MARK.registration_id == registration_id, _MARK.attended.is_(True)
        )
    )
    return frozenset(int(p) for p in found.scalars())
