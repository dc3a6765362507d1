"""The outbox as an admin sees it: the mails still waiting and those that failed, of their
organizers' courses, and sending a failed one again."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import MANAGER_KINDS, OutboxStatus
from courses.storage.staff_tables import sign_in_table
from courses.storage.tables import course_table, outbox_table, registration_table

__all__ = ["MailRow", "count_mails", "list_mails", "mail_by_id", "retry_failed"]

_OUT = outbox_table.c
_REG = registration_table.c


@dataclass(frozen=True, slots=True)
class MailRow:
    id: int
    kind: str
    recipient: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    available_at: datetime
    course_slug: str | None
    organizer_id: int | None


def _visible(organizer_ids: Collection[int] | None) -> Any:
    """Rows of the organizers' courses; None: all, a sign-in mail (of no organizer) too."""
    if organizer_ids is None:
        return True
    return course_table.c.organizer_id.in_(organizer_ids)


_ROWS = (
    select(
        _OUT.id,
        _OUT.kind,
        # The manager's mails go to the manager, not to the registrant.
        case(
            (
                _OUT.kind.in_([k.value for k in MANAGER_KINDS]),
                func.coalesce(_REG.manager_email, _REG.email),
            ),
            else_=func.coalesce(_REG.email, sign_in_table.c.email),
        ).label("recipient"),
        _OUT.status,
        _OUT.attempts,
        _OUT.last_error,
        _OUT.created_at,
        _OUT.available_at,
        course_table.c.slug.label("course_slug"),
        course_table.c.organizer_id,
    )
    .outerjoin(registration_table, _REG.id == _OUT.registration_id)
    .outerjoin(course_table, course_table.c.id == _REG.course_id)
    .outerjoin(sign_in_table, sign_in_table.c.id == _OUT.sign_in_id)
)


async def list_mails(
    conn: AsyncConnection,
    *,
    organizer_ids: Collection[int] | None,
    statuses: Collection[OutboxStatus],
    before_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[MailRow]:
    """Newest first."""
    query = (
        _ROWS.where(_OUT.status.in_([s.value for s in statuses]), _visible(organizer_ids))
        .order_by(_OUT.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if before_id is not None:
        query = query.where(_OUT.id < before_id)
    found = await conn.execute(query)
    return [MailRow(**{**row._asdict(), "status": OutboxStatus(row.status)}) for row in found.all()]


async def count_mails(
    conn: AsyncConnection,
    *,
    organizer_ids: Collection[int] | None,
    statuses: Collection[OutboxStatus],
) -> int:
    """How many mails `list_mails` would page through."""
    query = (
        select(func.count())
        .select_from(outbox_table)
        .outerjoin(registration_table, _REG.id == _OUT.registration_id)
        .outerjoin(course_table, course_table.c.id == _REG.course_id)
        .where(_OUT.status.in_([s.value for s in statuses]), _visible(organizer_ids))
    )
    return int((await conn.execute(query)).scalar_one())


async def mail_by_id(
    conn: AsyncConnection, mail_id: int, *, organizer_ids: Collection[int] | None
) -> MailRow | None:
    found = (await conn.execute(_ROWS.where(_OUT.id == mail_id, _visible(organizer_ids)))).first()
    return (
        None
        if found is None
        else MailRow(**{**found._asdict(), "status": OutboxStatus(found.status)})
    )


async def retry_failed(conn: AsyncConnection, mail_id: int, *, now: datetime) -> bool:
    """A failed mail back to pending, due now; False if it is not failed (any more).

    One conditional UPDATE: two admins retrying at once queue it once.
    """
    result = await conn.execute(
        update(outbox_table)
        .where(_OUT.id == mail_id, _OUT.status == OutboxStatus.FAILED.value)
        .values(status=OutboxStatus.PENDING.value, available_at=now, lease_until=None)
        .returning(_OUT.id)
    )
    return result.first() is not None
