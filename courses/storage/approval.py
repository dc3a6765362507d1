"""Manager approval's statements (courses.services.approval.answers).

Every transition of a registration waiting for its manager is one conditional UPDATE on
`status = 'pending_approval'`: a double click, a second worker or an approval racing the
expiry acts once, whatever each of them read before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.approval import ApprovalPeriod
from courses.domain.notices import MailKind
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.storage.tables import course_table, outbox_table, registration_table

__all__ = [
    "ApprovalRow",
    "ask",
    "by_ids",
    "by_token_hash",
    "confirm",
    "due_reminders",
    "ending",
    "expired",
    "keep_manager",
    "leave_pending",
    "manager_told_withdrawn",
    "mark_reminded",
]

_REG = registration_table.c
_PENDING = RegistrationStatus.PENDING_APPROVAL.value


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    """What a registration says about its approval."""

    id: int
    course_id: int
    status: RegistrationStatus
    manager_email: str | None
    approval_nonce: str | None
    approval_due_at: datetime | None


_ROWS = select(
    _REG.id,
    _REG.course_id,
    _REG.status,
    _REG.manager_email,
    _REG.approval_nonce,
    _REG.approval_due_at,
)


def _row(found: object) -> ApprovalRow:
    values = found._asdict()  # type: ignore[attr-defined]
    values["status"] = RegistrationStatus(values["status"])
    return ApprovalRow(**values)


async def by_token_hash(conn: AsyncConnection, token_hash: str) -> ApprovalRow | None:
    found = (await conn.execute(_ROWS.where(_REG.approval_token_hash == token_hash))).first()
    return None if found is None else _row(found)


async def by_ids(conn: AsyncConnection, ids: Collection[int]) -> dict[int, ApprovalRow]:
    found = await conn.execute(_ROWS.where(_REG.id.in_(set(ids))))
    return {row.id: row for row in map(_row, found.all())}


async def keep_manager(conn: AsyncConnection, registration_id: int, manager_email: str) -> None:
    """Remember the manager of a registration that waits for a seat: asked when promoted."""
    await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id)
        .values(manager_email=manager_email)
    )


async def ask(
    conn: AsyncConnection,
    registration_id: int,
    *,
    token_hash: str,
    nonce: str,
    period: ApprovalPeriod,
    manager_email: str | None = None,
) -> bool:
    """Turn a registration that just got its seat (confirmed by the enrolment or by a
    promotion, in this transaction; a lottery's drawn applicant) into one waiting for its
    manager. False if it was in none of those states."""
    values: dict[str, object] = {
        "status": _PENDING,
        "confirmed_at": None,
        "approval_token_hash": token_hash,
        "approval_nonce": nonce,
        "approval_asked_at": period.asked_at,
        "approval_due_at": period.due_at,
        "approval_reminded_at": None,
        "updated_at": period.asked_at,
    }
    # Someone who registered before the course asked for approval named no manager: they
    # are not asked about (the caller confirms them as before).
    known_manager = _REG.manager_email.is_not(None)
    if manager_email is not None:
        values["manager_email"] = manager_email
        known_manager = true()
    result = await conn.execute(
        update(registration_table)
        .where(
            known_manager,
            _REG.id == registration_id,
            _REG.status.in_(
                [
                    RegistrationStatus.CONFIRMED.value,
                    RegistrationStatus.WAITLISTED.value,
                    RegistrationStatus.APPLIED.value,
                ]
            ),
        )
        .values(**values)
        .returning(_REG.id)
    )
    return result.first() is not None


async def confirm(conn: AsyncConnection, registration_id: int, *, now: datetime) -> bool:
    """Approved: pending → confirmed while the answer is still in time. The seat was held."""
    result = await conn.execute(
        update(registration_table)
        .where(
            _REG.id == registration_id,
            _REG.status == _PENDING,
            _REG.approval_due_at > now,
        )
        .values(status=RegistrationStatus.CONFIRMED.value, confirmed_at=now, updated_at=now)
        .returning(_REG.id)
    )
    return result.first() is not None


async def leave_pending(conn: AsyncConnection, registration_id: int, *, now: datetime) -> bool:
    """Declined or run out of time: pending → cancelled, once. The caller holds the course
    lock and then frees the seat (`courses.services.seats.release.cancel_locked`)."""
    result = await conn.execute(
        update(registration_table)
        .where(_REG.id == registration_id, _REG.status == _PENDING)
        .values(status=RegistrationStatus.CANCELLED.value, cancelled_at=now, updated_at=now)
        .returning(_REG.id)
    )
    return result.first() is not None


async def due_reminders(conn: AsyncConnection, *, now: datetime) -> list[int]:
    """Pending registrations past the middle of their period, not yet reminded, still in time.

    The middle is where `asked + (due - asked) / 2 <= now`, i.e. `asked + due <= 2 now`;
    computed here in Python from the stored instants so both databases agree.
    """
    # A cancelled course's manager was told the registration needs no answer: no reminder.
    found = await conn.execute(
        select(_REG.id, _REG.approval_asked_at, _REG.approval_due_at)
        .join(course_table, course_table.c.id == _REG.course_id)
        .where(
            _REG.status == _PENDING,
            _REG.approval_reminded_at.is_(None),
            _REG.approval_due_at > now,
            _REG.approval_asked_at.is_not(None),
            course_table.c.status != CourseStatus.CANCELLED.value,
        )
    )
    return sorted(int(id_) for id_, asked, due in found.all() if asked + (due - asked) / 2 <= now)


async def mark_reminded(conn: AsyncConnection, registration_id: int, *, now: datetime) -> bool:
    """Stamp the one reminder: True for the caller that stamped it (it queues the mail)."""
    result = await conn.execute(
        update(registration_table)
        .where(
            _REG.id == registration_id,
            _REG.status == _PENDING,
            _REG.approval_reminded_at.is_(None),
        )
        .values(approval_reminded_at=now)
        .returning(_REG.id)
    )
    return result.first() is not None


async def expired(conn: AsyncConnection, *, now: datetime) -> list[tuple[int, int]]:
    """(registration id, course id) of the pending registrations whose time ran out."""
    found = await conn.execute(
        select(_REG.id, _REG.course_id)
        .where(_REG.status == _PENDING, _REG.approval_due_at <= now)
        .order_by(_REG.course_id, _REG.id)
    )
    return [(int(id_), int(course_id)) for id_, course_id in found.all()]


async def pending_count(conn: AsyncConnection, course_id: int) -> int:
    found = await conn.execute(
        select(func.count()).where(_REG.course_id == course_id, _REG.status == _PENDING)
    )
    return int(found.scalar_one())


async def ending(conn: AsyncConnection, registration_id: int) -> str | None:
    """How a cancelled registration's wait ended, as its mail says: `declined`,
    `approval_expired`, or None (cancelled otherwise, or the mail is forgotten by now)."""
    found = await conn.execute(
        select(outbox_table.c.kind)
        .where(
            outbox_table.c.registration_id == registration_id,
            outbox_table.c.kind.in_([MailKind.DECLINED.value, MailKind.APPROVAL_EXPIRED.value]),
        )
        .order_by(outbox_table.c.id.desc())
        .limit(1)
    )
    kind = found.scalar_one_or_none()
    return None if kind is None else str(kind)


async def manager_told_withdrawn(conn: AsyncConnection, registration_id: int) -> bool:
    """Whether the manager was told the registration no longer needs their answer (the
    registrant or an admin cancelled it, or the course is cancelled); False once that mail is
    forgotten."""
    found = await conn.execute(
        select(outbox_table.c.id)
        .where(
            outbox_table.c.registration_id == registration_id,
            outbox_table.c.kind == MailKind.APPROVAL_WITHDRAWN.value,
        )
        .limit(1)
    )
    return found.first() is not None
