"""Registrations after they are made (enrolling is `courses.storage.seats.enrolment`):
finding one by its token, changing its status, the waitlist queue, and the conditional
UPDATEs that make a resend or a reminder happen once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.fair_seats import HOLDING_STATUSES
from courses.domain.rules import ACTIVE_STATUSES, RegistrationStatus
from courses.storage.tables import (
    course_table,
    employer_table,
    format_table,
    registration_table,
)

__all__ = [
    "RegistrationRow",
    "active_in_course",
    "by_ids",
    "by_token_hash",
    "held_by_format",
    "mark_reminded",
    "mark_resent",
    "set_status",
    "status_of",
    "waiting_in_queue",
    "waitlist_position",
]

_HOLDING = [s.value for s in HOLDING_STATUSES]

_REG = registration_table.c
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """A registration with its course's slug and its employer's key and name."""

    id: int
    course_id: int
    course_slug: str
    format_id: int | None
    employer_key: str
    employer_name: str
    name: str
    email: str
    workplace: str
    phone: str | None
    message: str | None
    status: RegistrationStatus
    queue_no: int
    token_nonce: str | None
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None


_ROWS = (
    select(
        _REG.id,
        _REG.course_id,
        course_table.c.slug.label("course_slug"),
        _REG.format_id,
        employer_table.c.key.label("employer_key"),
        employer_table.c.name.label("employer_name"),
        _REG.name,
        _REG.email,
        _REG.workplace,
        _REG.phone,
        _REG.message,
        _REG.status,
        _REG.queue_no,
        _REG.token_nonce,
        _REG.created_at,
        _REG.confirmed_at,
        _REG.cancelled_at,
    )
    .join(course_table, course_table.c.id == _REG.course_id)
    .join(employer_table, employer_table.c.id == _REG.employer_id)
)


def _row(found: object) -> RegistrationRow:
    values = found._asdict()  # type: ignore[attr-defined]
    values["status"] = RegistrationStatus(values["status"])
    return RegistrationRow(**values)


async def by_token_hash(conn: AsyncConnection, token_hash: str) -> RegistrationRow | None:
    found = (await conn.execute(_ROWS.where(_REG.token_hash == token_hash))).first()
    return None if found is None else _row(found)


async def by_ids(conn: AsyncConnection, ids: Collection[int]) -> dict[int, RegistrationRow]:
    found = await conn.execute(_ROWS.where(_REG.id.in_(set(ids))))
    return {row.id: row for row in map(_row, found.all())}


async def status_of(conn: AsyncConnection, registration_id: int) -> RegistrationStatus:
    """Read after taking the course lock: no other writer changes it until we commit."""
    found = await conn.execute(select(_REG.status).where(_REG.id == registration_id))
    return RegistrationStatus(found.scalar_one())


async def set_status(
    conn: AsyncConnection, registration_id: int, status: RegistrationStatus, *, now: datetime
) -> None:
    """Confirm (a promotion) or cancel a registration; the caller holds the course lock."""
    stamp = {
        RegistrationStatus.CONFIRMED: {"confirmed_at": now},
        RegistrationStatus.CANCELLED: {"cancelled_at": now},
    }.get(status, {})
    await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id)
        .values(status=status.value, updated_at=now, **stamp)
    )


async def waiting_in_queue(conn: AsyncConnection, course_id: int) -> list[tuple[int, int | None]]:
    """(registration id, format id) of the course's waitlist, first in line first."""
    found = await conn.execute(
        select(_REG.id, _REG.format_id)
        .where(_REG.course_id == course_id, _REG.status == RegistrationStatus.WAITLISTED.value)
        .order_by(_REG.queue_no)
    )
    return [(int(id_), format_id) for id_, format_id in found.all()]


_POSITION = select(func.count()).where(
    _REG.course_id == bindparam("course_id"),
    _REG.status == RegistrationStatus.WAITLISTED.value,
    _REG.queue_no <= bindparam("queue_no"),
)


async def waitlist_position(conn: AsyncConnection, *, course_id: int, queue_no: int) -> int:
    """1 for the first in the queue; counts only those still waiting."""
    result = await conn.execute(_POSITION, {"course_id": course_id, "queue_no": queue_no})
    return int(result.scalar_one())


async def active_in_course(
    conn: AsyncConnection, course_id: int
) -> list[tuple[int, RegistrationStatus, int | None]]:
    """(id, status, format id) of the course's confirmed and waitlisted registrations, less
    the purged ones (gallrade): nobody is left to tell."""
    found = await conn.execute(
        select(_REG.id, _REG.status, _REG.format_id)
        .where(_REG.course_id == course_id, _REG.status.in_(_ACTIVE), _REG.purged_at.is_(None))
        .order_by(_REG.id)
    )
    return [(int(id_), RegistrationStatus(status), fmt) for id_, status, fmt in found.all()]


async def mark_resent(
    conn: AsyncConnection, *, course_id: int, email_key: str, now: datetime, not_since: datetime
) -> int | None:
    """Stamp the active registration of `email_key` as resent, unless it was after `not_since`.

    The id, or None when it was resent too recently: one conditional UPDATE, so "once per
    period" holds however many requests arrive at the same moment.
    """
    result = await conn.execute(
        update(registration_table)
        .where(
            _REG.course_id == course_id,
            _REG.email_key == email_key,
            _REG.status.in_(_ACTIVE),
            (_REG.resent_at.is_(None)) | (_REG.resent_at <= not_since),
        )
        .values(resent_at=now)
        .returning(_REG.id)
    )
    found = result.scalar_one_or_none()
    return None if found is None else int(found)


async def mark_reminded(
    conn: AsyncConnection, *, course_id: int, confirmed_before: datetime, now: datetime
) -> list[int]:
    """Stamp the confirmed, not yet reminded registrations of a course; their ids.

    Someone confirmed after `confirmed_before` (the reminder time) got their confirmation then
    and is left out. The conditional UPDATE makes every reminder go once, whatever runs this.
    """
    result = await conn.execute(
        update(registration_table)
        .where(
            _REG.course_id == course_id,
            _REG.status == RegistrationStatus.CONFIRMED.value,
            _REG.reminded_at.is_(None),
            _REG.confirmed_at < confirmed_before,
        )
        .values(reminded_at=now)
        .returning(_REG.id)
    )
    return sorted(result.scalars().all())


async def held_by_format(conn: AsyncConnection, course_id: int) -> dict[str, int]:
    """The seats held in each of the course's formats (confirmed or waiting for the manager),
    by format key; exact under the course row's lock."""
    reg, fmt = registration_table.c, format_table.c
    found = await conn.execute(
        select(fmt.key, func.count())
        .select_from(registration_table.join(format_table, fmt.id == reg.format_id))
        .where(reg.course_id == course_id, reg.status.in_(_HOLDING))
        .group_by(fmt.key)
    )
    return {key: int(count) for key, count in found.all()}
