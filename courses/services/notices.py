"""Which mails a change produces: the services call these inside their write transaction.

A notice to a confirmed registrant carries the calendar: RFC 5546 allows one UID per
METHOD:REQUEST (or CANCEL) message and Outlook does not read RDATE, so every session is its own
event and its own message (one outbox row per session, `part` = the session's position). The
first message of a notice is the mail itself (confirmation, cancellation, ...); the others say
which session they carry, and every one of them has all the facts in its body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage import outbox

__all__ = ["MailKind", "Method", "all_sessions", "notice", "queue"]


class MailKind(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    ALREADY_REGISTERED = "already_registered"
    COURSE_CHANGED = "course_changed"
    COURSE_CANCELLED = "course_cancelled"
    REMINDER = "reminder"


class Method(StrEnum):
    """The iTIP method of the invite a message carries (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


def notice(
    kind: MailKind,
    registration_id: int,
    *,
    invites: Iterable[tuple[int, Method]] = (),
    payload: Mapping[str, Any] | None = None,
) -> list[outbox.NewMail]:
    """The outbox rows of one notice: one per invite (session position, method), else one."""
    parts = list(invites)
    base = dict(payload or {})
    if not parts:
        return [outbox.NewMail(registration_id=registration_id, kind=kind.value, payload=base)]
    base["parts"] = [position for position, _ in parts]
    return [
        outbox.NewMail(
            registration_id=registration_id,
            kind=kind.value,
            part=position,
            method=method.value,
            payload=base,
        )
        for position, method in parts
    ]


def all_sessions(positions: Sequence[int], method: Method) -> list[tuple[int, Method]]:
    return [(position, method) for position in sorted(positions)]


async def queue(
    conn: AsyncConnection, notices: Iterable[list[outbox.NewMail]], *, now: datetime
) -> None:
    """Write the notices' rows in the caller's transaction."""
    await outbox.insert(conn, [mail for rows in notices for mail in rows], now=now)
