"""The outbox table's statements: write, claim, record the outcome, count.

Rows are written by the services in the transaction of the change they tell about and sent by
`courses.mail.worker`. A claim moves rows to `sending` with a lease; a worker that dies leaves
them there, and once the lease has run out any worker may claim them again. On PostgreSQL the
claim skips rows another worker has locked (`FOR UPDATE SKIP LOCKED`), so two workers never
take the same row; on SQLite write transactions are serialized and the same statement is safe.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import MailKind, Method, OutboxStatus
from courses.storage.payloads import Payload, decode_payload, encode_payload, kind_of
from courses.storage.tables import outbox_table, registration_table

__all__ = [
    "Claimed",
    "Failure",
    "NewMail",
    "claim",
    "counts",
    "enqueue",
    "has_due",
    "mark_failed",
    "mark_sent",
    "new_row",
    "next_due",
    "oldest_unsent",
    "prune_sent",
    "recent_failures",
    "retry_later",
]


@dataclass(frozen=True, slots=True)
class NewMail:
    """One message to queue; its kind is the payload's. A registrant's mail names its
    registration, a sign-in mail its link (`sign_in_id`)."""

    registration_id: int | None
    payload: Payload
    part: int | None = None
    method: Method | None = None
    sign_in_id: int | None = None

    @property
    def kind(self) -> MailKind:
        return kind_of(self.payload)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    registration_id: int | None
    kind: MailKind
    part: int | None
    method: Method | None
    payload: Payload | None
    """None when the stored payload does not fit its kind: the row cannot be built."""
    message_id: str
    attempts: int
    created_at: datetime
    sign_in_id: int | None = None


def _claimed(row: Any) -> Claimed:
    try:
        payload: Payload | None = decode_payload(row.kind, row.payload)
    except msgspec.ValidationError:
        payload = None
    return Claimed(
        id=row.id,
        registration_id=row.registration_id,
        kind=MailKind(row.kind),
        part=row.part,
        method=Method(row.method) if row.method else None,
        payload=payload,
        message_id=row.message_id,
        attempts=row.attempts,
        created_at=row.created_at,
        sign_in_id=row.sign_in_id,
    )


_OUT = outbox_table.c


async def enqueue(conn: AsyncConnection, mails: Sequence[NewMail], *, now: datetime) -> None:
    """Queue `mails` in the caller's transaction: they are sent only if it commits."""
    if not mails:
        return
    await conn.execute(outbox_table.insert(), [new_row(mail, now=now) for mail in mails])


def new_row(mail: NewMail, *, now: datetime) -> dict[str, Any]:
    """The outbox row of `mail`, waiting to be sent (also for statements that insert it
    together with its registration, `courses.storage.seats.enrolment`)."""
    return {
        "registration_id": mail.registration_id,
        "sign_in_id": mail.sign_in_id,
        "kind": mail.kind.value,
        "part": mail.part,
        "method": mail.method.value if mail.method else None,
        "payload": encode_payload(mail.payload),
        # The local part of the Message-ID, fixed now so every retry repeats it.
        "message_id": secrets.token_hex(16),
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "available_at": now,
        "created_at": now,
    }


def _due(now: datetime) -> Any:
    return or_(
        and_(_OUT.status == OutboxStatus.PENDING.value, _OUT.available_at <= now),
        and_(_OUT.status == OutboxStatus.SENDING.value, _OUT.lease_until < now),
    )


async def has_due(conn: AsyncConnection, *, now: datetime) -> bool:
    """A cheap read before taking the write lock for a claim."""
    found = await conn.execute(select(_OUT.id).where(_due(now)).limit(1))
    return found.first() is not None


async def next_due(conn: AsyncConnection) -> datetime | None:
    """When the next row becomes due (a retry's time, a dead worker's lease end), so an idle
    worker knows how long it may sleep; None when nothing waits. Due rows give a time past."""
    pending = select(func.min(_OUT.available_at)).where(_OUT.status == OutboxStatus.PENDING.value)
    leased = select(func.min(_OUT.lease_until)).where(_OUT.status == OutboxStatus.SENDING.value)
    found = await conn.execute(select(pending.scalar_subquery(), leased.scalar_subquery()))
    times = [moment for moment in found.one() if moment is not None]
    return min(times, default=None)


async def claim(
    conn: AsyncConnection, *, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Take up to `limit` due rows, oldest first, for `worker` until `now + lease`."""
    due = select(_OUT.id).where(_due(now)).order_by(_OUT.id).limit(limit)
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await conn.execute(
        update(outbox_table)
        .where(_OUT.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING.value,
            lease_until=now + lease,
            claimed_by=worker,
            attempts=_OUT.attempts + 1,
        )
        .returning(
            _OUT.id,
            _OUT.registration_id,
            _OUT.sign_in_id,
            _OUT.kind,
            _OUT.part,
            _OUT.method,
            _OUT.payload,
            _OUT.message_id,
            _OUT.attempts,
            _OUT.created_at,
        )
    )
    rows = sorted(result.all(), key=lambda row: row.id)
    return [_claimed(row) for row in rows]


def _mine(ids: Sequence[int], worker: str) -> Any:
    # A row whose lease ran out may already belong to another worker: leave it to that one.
    return and_(
        _OUT.id.in_(ids), _OUT.claimed_by == worker, _OUT.status == OutboxStatus.SENDING.value
    )


async def mark_sent(
    conn: AsyncConnection, ids: Sequence[int], *, worker: str, now: datetime
) -> None:
    if ids:
        await conn.execute(
            update(outbox_table)
            .where(_mine(ids, worker))
            .values(status=OutboxStatus.SENT.value, sent_at=now, lease_until=None, last_error=None)
        )


async def retry_later(
    conn: AsyncConnection, id_: int, *, worker: str, at: datetime, error: str
) -> None:
    await conn.execute(
        update(outbox_table)
        .where(_mine([id_], worker))
        .values(
            status=OutboxStatus.PENDING.value,
            available_at=at,
            lease_until=None,
            last_error=error[:2000],
        )
    )


async def mark_failed(conn: AsyncConnection, id_: int, *, worker: str, error: str) -> None:
    await conn.execute(
        update(outbox_table)
        .where(_mine([id_], worker))
        .values(status=OutboxStatus.FAILED.value, lease_until=None, last_error=error[:2000])
    )


@dataclass(frozen=True, slots=True)
class Failure:
    id: int
    kind: MailKind
    recipient: str
    error: str
    created_at: datetime


async def recent_failures(conn: AsyncConnection, *, limit: int) -> list[Failure]:
    """The newest failed mails, with the server's answer, for an admin to act on."""
    result = await conn.execute(
        select(_OUT.id, _OUT.kind, registration_table.c.email, _OUT.last_error, _OUT.created_at)
        .join(registration_table, registration_table.c.id == _OUT.registration_id)
        .where(_OUT.status == OutboxStatus.FAILED.value)
        .order_by(_OUT.id.desc())
        .limit(limit)
    )
    return [
        Failure(
            id=row.id,
            kind=MailKind(row.kind),
            recipient=row.email,
            error=row.last_error or "",
            created_at=row.created_at,
        )
        for row in result.all()
    ]


async def prune_sent(conn: AsyncConnection, *, sent_before: datetime) -> int:
    """Forget mails delivered before `sent_before`; failed and waiting ones stay."""
    result = await conn.execute(
        delete(outbox_table).where(
            _OUT.status == OutboxStatus.SENT.value, _OUT.sent_at < sent_before
        )
    )
    return int(result.rowcount)


async def counts(conn: AsyncConnection) -> dict[OutboxStatus, int]:
    """How many rows are in each state (every state is present, zeros included)."""
    result = await conn.execute(select(_OUT.status, func.count()).group_by(_OUT.status))
    found = {OutboxStatus(status): int(count) for status, count in result.all()}
    return {status: found.get(status, 0) for status in OutboxStatus}


async def oldest_unsent(conn: AsyncConnection) -> datetime | None:
    """When the oldest mail still waiting or being sent was queued; None when there is none."""
    result = await conn.execute(
        select(func.min(_OUT.created_at)).where(
            _OUT.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value])
        )
    )
    oldest: datetime | None = result.scalar_one()
    return oldest
