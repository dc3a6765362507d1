"""Waitlist offers in SQL: every way into and out of an offer is one conditional UPDATE.

The caller holds the course row's lock; the conditions still carry the state they expect, so a
double click, two workers, or an acceptance racing the expiry change the row once and the
others find nothing to change (`courses.services.offers`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.offers import OfferOutcome
from courses.domain.rules import RegistrationStatus
from courses.storage.tables import course_table, format_table, registration_table

__all__ = [
    "LapsedOffer",
    "OfferRow",
    "accept_held",
    "accept_open",
    "close_open",
    "decline",
    "due",
    "hold",
    "lapse",
    "offer_of",
    "open_to",
]

_REG = registration_table.c
_OFFERED = RegistrationStatus.OFFERED.value
_WAITING = RegistrationStatus.WAITLISTED.value


@dataclass(frozen=True, slots=True)
class OfferRow:
    offered_at: datetime | None
    due_at: datetime | None
    outcome: OfferOutcome | None
    replaces_id: int | None

    def open_at(self, now: datetime) -> bool:
        """An offer not yet answered whose time has not run out (held or open)."""
        return (
            self.offered_at is not None
            and self.outcome is None
            and self.due_at is not None
            and now < self.due_at
        )


@dataclass(frozen=True, slots=True)
class LapsedOffer:
    format_id: int | None
    """The format whose seat the offer held (None: the format was removed)."""


def _open_offer(now: datetime) -> ColumnElement[bool]:
    """A waiting registration told of a free seat in the last window, not yet answered."""
    return and_(
        _REG.status == _WAITING,
        _REG.offered_at.is_not(None),
        _REG.offer_outcome.is_(None),
        _REG.offer_due_at > now,
    )


async def offer_of(conn: AsyncConnection, registration_id: int) -> OfferRow:
    found = (
        await conn.execute(
            select(_REG.offered_at, _REG.offer_due_at, _REG.offer_outcome, _REG.replaces_id).where(
                _REG.id == registration_id
            )
        )
    ).one()
    outcome = None if found.offer_outcome is None else OfferOutcome(found.offer_outcome)
    return OfferRow(found.offered_at, found.offer_due_at, outcome, found.replaces_id)


async def hold(
    conn: AsyncConnection, registration_id: int, *, now: datetime, due_at: datetime
) -> None:
    """Waiting → offered: the seat (already claimed by the caller) is held until `due_at`."""
    await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id, _REG.status == _WAITING)
        .values(
            status=_OFFERED,
            offered_at=now,
            offer_due_at=due_at,
            offer_outcome=None,
            updated_at=now,
        )
    )


async def open_to(
    conn: AsyncConnection, registration_ids: Collection[int], *, now: datetime, due_at: datetime
) -> list[int]:
    """Tell these waiting registrations of a free seat (the last window); those already told of
    an open offer are left alone. Returns the ones newly told."""
    if not registration_ids:
        return []
    found = await conn.execute(
        update(registration_table)
        .where(
            _REG.id.in_(set(registration_ids)),
            _REG.status == _WAITING,
            or_(
                _REG.offered_at.is_(None),
                _REG.offer_outcome.is_not(None),
                _REG.offer_due_at <= now,
            ),
        )
        .values(offered_at=now, offer_due_at=due_at, offer_outcome=None, updated_at=now)
        .returning(_REG.id)
    )
    return sorted(int(id_) for (id_,) in found.all())


async def accept_held(
    conn: AsyncConnection, registration_id: int, *, now: datetime, status: RegistrationStatus
) -> bool:
    """Offered (in time) → `status` (confirmed, or pending for the manager); once."""
    stamp = {"confirmed_at": now} if status is RegistrationStatus.CONFIRMED else {}
    found = await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id, _REG.status == _OFFERED, _REG.offer_due_at > now)
        .values(
            status=status.value,
            offer_outcome=OfferOutcome.ACCEPTED.value,
            updated_at=now,
            **stamp,
        )
        .returning(_REG.id)
    )
    return found.first() is not None


async def accept_open(
    conn: AsyncConnection, registration_id: int, *, now: datetime, status: RegistrationStatus
) -> bool:
    """An open offer (waiting, told, in time) → `status`, after the caller took the seat."""
    stamp = {"confirmed_at": now} if status is RegistrationStatus.CONFIRMED else {}
    found = await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id, _open_offer(now))
        .values(
            status=status.value,
            offer_outcome=OfferOutcome.ACCEPTED.value,
            updated_at=now,
            **stamp,
        )
        .returning(_REG.id)
    )
    return found.first() is not None


async def decline(conn: AsyncConnection, registration_id: int, *, now: datetime) -> bool:
    """An offer (held or open, in time) declined: the registration leaves the queue."""
    found = await conn.execute(
        update(registration_table)
        .where(
            _REG.id == registration_id,
            or_(and_(_REG.status == _OFFERED, _REG.offer_due_at > now), _open_offer(now)),
        )
        .values(
            status=RegistrationStatus.CANCELLED.value,
            cancelled_at=now,
            offer_outcome=OfferOutcome.DECLINED.value,
            updated_at=now,
        )
        .returning(_REG.id)
    )
    return found.first() is not None


async def lapse(
    conn: AsyncConnection, registration_id: int, *, now: datetime, queue_no: int
) -> LapsedOffer | None:
    """A held offer whose time ran out → waiting again, last in line (`queue_no`); once.
    Returns the format whose seat it held, or None when it was no such offer (answered,
    lapsed already, or still in time)."""
    found = await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id, _REG.status == _OFFERED, _REG.offer_due_at <= now)
        .values(
            status=_WAITING,
            queue_no=queue_no,
            offer_outcome=OfferOutcome.LAPSED.value,
            updated_at=now,
        )
        .returning(_REG.format_id)
    )
    row = found.first()
    return None if row is None else LapsedOffer(row.format_id)


async def due(conn: AsyncConnection, *, now: datetime) -> list[tuple[int, int]]:
    """(registration id, course id) of the held offers whose time ran out, oldest first."""
    found = await conn.execute(
        select(_REG.id, _REG.course_id)
        .where(_REG.status == _OFFERED, _REG.offer_due_at <= now)
        .order_by(_REG.offer_due_at, _REG.id)
    )
    return [(int(id_), int(course_id)) for id_, course_id in found.all()]


async def close_open(conn: AsyncConnection, course_id: int, *, now: datetime) -> list[int]:
    """End the open offers of the course whose seat is gone: the course is full, or the
    format the person waits for is. Returns the registrations told so."""
    course, fmt = course_table.c, format_table.c
    course_full = exists().where(
        course.id == course_id, course.seats.is_not(None), course.confirmed_count >= course.seats
    )
    format_full = exists().where(
        fmt.id == _REG.format_id, fmt.seats.is_not(None), fmt.confirmed_count >= fmt.seats
    )
    found = await conn.execute(
        update(registration_table)
        .where(
            _REG.course_id == course_id,
            _open_offer(now),
            or_(course_full, format_full),
        )
        .values(offer_outcome=OfferOutcome.GONE.value, updated_at=now)
        .returning(_REG.id)
    )
    return sorted(int(id_) for (id_,) in found.all())
