"""Everything stored about one registration, for its registrant's data extract (registerutdrag).

Read straight from the tables, column by column, so that what a person downloads is what is
stored and not what some view of it happens to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from courses.storage.staff_tables import attendance_table
from courses.storage.tables import outbox_table, registration_table

__all__ = [
    "StoredMail",
    "StoredMark",
    "StoredRegistration",
    "stored_attendance",
    "stored_mails",
    "stored_registration",
]

_REG = registration_table.c
_OUT = outbox_table.c
_REPLACED = aliased(registration_table, name="replaced")
_SUCCESSOR = aliased(registration_table, name="successor")
_REPLACED_BY = (
    select(_SUCCESSOR.c.name)
    .where(_SUCCESSOR.c.replaces_id == _REG.id)
    .order_by(_SUCCESSOR.c.id)
    .limit(1)
    .scalar_subquery()
)


@dataclass(frozen=True, slots=True)
class StoredRegistration:
    """The registration's own columns, less the token's hash and nonce (a secret's check value,
    which says nothing about the person)."""

    email_key: str
    queue_no: int
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    reminded_at: datetime | None
    resent_at: datetime | None
    manager_email: str | None = None
    approval_asked_at: datetime | None = None
    approval_due_at: datetime | None = None
    approval_reminded_at: datetime | None = None
    offered_at: datetime | None = None
    offer_due_at: datetime | None = None
    offer_outcome: str | None = None
    """A seat offered from the waitlist: when, until when, and how the offer ended."""
    replaces: str | None = None
    """The name of the colleague who handed this registration their seat."""
    replaced_by: str | None = None
    """The name of the colleague this registration handed its seat to."""


@dataclass(frozen=True, slots=True)
class StoredMark:
    """A leader's mark of whether the registrant attended one session (by its position)."""

    session_position: int
    attended: bool
    marked_at: datetime


@dataclass(frozen=True, slots=True)
class StoredMail:
    """One mail to the registrant as the outbox keeps it (its text is built when it is sent)."""

    kind: str
    status: str
    part: int | None
    method: str | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


async def stored_registration(
    conn: AsyncConnection, registration_id: int
) -> StoredRegistration | None:
    """None for an unknown registration, or one whose personal data was purged."""
    found = await conn.execute(
        select(
            _REG.email_key,
            _REG.queue_no,
            _REG.created_at,
            _REG.updated_at,
            _REG.confirmed_at,
            _REG.cancelled_at,
            _REG.reminded_at,
            _REG.resent_at,
            _REG.manager_email,
            _REG.approval_asked_at,
            _REG.approval_due_at,
            _REG.approval_reminded_at,
            _REG.offered_at,
            _REG.offer_due_at,
            _REG.offer_outcome,
            # A transfer's other person, by name only (what the giver typed; what the
            # colleague was told in their mail).
            _REPLACED.c.name.label("replaces"),
            _REPLACED_BY.label("replaced_by"),
        )
        .outerjoin(_REPLACED, _REPLACED.c.id == _REG.replaces_id)
        .where(_REG.id == registration_id, _REG.purged_at.is_(None))
    )
    row = found.first()
    return None if row is None else StoredRegistration(**row._asdict())


async def stored_mails(conn: AsyncConnection, registration_id: int) -> list[StoredMail]:
    """The registration's mails still in the outbox, oldest first (sent ones are forgotten
    after a while, see `courses.services.housekeeping`)."""
    found = await conn.execute(
        select(
            _OUT.kind,
            _OUT.status,
            _OUT.part,
            _OUT.method,
            _OUT.payload,
            _OUT.attempts,
            _OUT.created_at,
            _OUT.sent_at,
            _OUT.last_error,
        )
        .where(_OUT.registration_id == registration_id)
        .order_by(_OUT.id)
    )
    return [StoredMail(**row._asdict()) for row in found.all()]


async def stored_attendance(conn: AsyncConnection, registration_id: int) -> list[StoredMark]:
    """Every attendance mark of the registration, by session. Who marked it (a leader's
    address) is about the leader, not the registrant, and stays out."""
    mark = attendance_table.c
    found = await conn.execute(
        select(mark.session_position, mark.attended, mark.marked_at)
        .where(mark.registration_id == registration_id)
        .order_by(mark.session_position)
    )
    return [StoredMark(**row._asdict()) for row in found.all()]
