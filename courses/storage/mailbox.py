"""One mailbox's registrations (`email_key`: the address without its `+tag`, in lower case):
the ones still worth a link, and the conditional UPDATE that lets their list be mailed once
in a while (`courses.services.registration.my_registrations`).

"Still worth a link" is active (`ACTIVE_STATUSES`), not purged, on a course with a session
today or later: the course has not ended.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import ACTIVE_STATUSES
from courses.storage.tables import registration_table, session_table

__all__ = ["active_ids", "stamp_listed"]

_REG = registration_table.c
_ACTIVE = [s.value for s in ACTIVE_STATUSES]


def _still_on(today: date) -> ColumnElement[bool]:
    """Active, not purged, and its course has a session today or later."""
    return and_(
        _REG.status.in_(_ACTIVE),
        _REG.purged_at.is_(None),
        exists().where(session_table.c.course_id == _REG.course_id, session_table.c.day >= today),
    )


async def stamp_listed(
    conn: AsyncConnection, *, email_key: str, today: date, now: datetime, not_since: datetime
) -> list[int]:
    """Stamp the mailbox's registrations still on as resent, those not resent after
    `not_since`; their ids (none: nothing is on, or the list went out too recently).

    One conditional UPDATE of every such row: two requests at the same moment stamp them once
    between them (the second waits for the first's row locks, then finds them stamped), so the
    list goes out once per period, plus once for a registration made since.
    """
    result = await conn.execute(
        update(registration_table)
        .where(
            _REG.email_key == email_key,
            _still_on(today),
            (_REG.resent_at.is_(None)) | (_REG.resent_at <= not_since),
        )
        .values(resent_at=now)
        .returning(_REG.id)
    )
    return sorted(int(id_) for id_ in result.scalars().all())


async def active_ids(conn: AsyncConnection, registration_id: int, *, today: date) -> list[int]:
    """The registrations still on of the mailbox that `registration_id` belongs to, oldest
    first (the mailbox's list mail is built from these, when it is sent)."""
    mailbox = select(_REG.email_key).where(_REG.id == registration_id).scalar_subquery()
    found = await conn.execute(
        select(_REG.id).where(_REG.email_key == mailbox, _still_on(today)).order_by(_REG.id)
    )
    return [int(id_) for id_ in found.scalars().all()]
