"""Which mails a change produces: the services call these inside their write transaction.

A notice to a confirmed registrant carries the calendar: RFC 5546 allows one UID per
METHOD:REQUEST (or CANCEL) message and Outlook does not read RDATE, so every session is its own
event and its own message (one outbox row per session, `part` = the session's position). The
first message of a notice is the mail itself (confirmation, cancellation, ...); the others say
which session they carry, and every one of them has all the facts in its body.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import msgspec
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import Method
from courses.storage import outbox
from courses.storage.payloads import Payload

__all__ = ["all_sessions", "notice", "queue"]


def notice(
    registration_id: int, payload: Payload, *, invites: Iterable[tuple[int, Method]] = ()
) -> list[outbox.NewMail]:
    """The outbox rows of one notice: one per invite (session position, method), else one."""
    parts = list(invites)
    if not parts:
        return [outbox.NewMail(registration_id=registration_id, payload=payload)]
    # Every message of the notice knows the whole list: the first one is the notice itself.
    payload = msgspec.structs.replace(payload, parts=[position for position, _ in parts])
    return [
        outbox.NewMail(
            registration_id=registration_id, payload=payload, part=position, method=method
        )
        for position, method in parts
    ]


def all_sessions(positions: Sequence[int], method: Method) -> list[tuple[int, Method]]:
    return [(position, method) for position in sorted(positions)]


async def queue(
    conn: AsyncConnection, notices: Iterable[list[outbox.NewMail]], *, now: datetime
) -> None:
    """Write the notices' rows in the caller's transaction."""
    await outbox.enqueue(conn, [mail for rows in notices for mail in rows], now=now)
