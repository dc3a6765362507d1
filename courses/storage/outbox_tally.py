"""Count the outbox rows a transaction wrote about some courses: what a dry run would send.

A change writes its mails in the transaction that makes it, under the course rows' locks, so
the rows after a mark taken at its start that belong to those courses' registrations are
exactly the change's own (another writer of the same courses waits for the locks).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import MailCount, MailKind, MailTally, Method
from courses.storage.tables import outbox_table, registration_table

__all__ = ["outbox_mark", "written_since"]


async def outbox_mark(conn: AsyncConnection) -> int:
    """The newest outbox row's id (0 when empty); rows written later have greater ids."""
    return int((await conn.execute(select(func.max(outbox_table.c.id)))).scalar() or 0)


async def written_since(conn: AsyncConnection, mark: int, course_ids: Sequence[int]) -> MailTally:
    """The rows after `mark` to the registrations of `course_ids`, counted by kind and
    invite method, and how many registrations they go to."""
    if not course_ids:
        return MailTally()
    out, reg = outbox_table.c, registration_table.c
    joined = outbox_table.join(registration_table, reg.id == out.registration_id)
    where = (out.id > mark, reg.course_id.in_(course_ids))
    rows = await conn.execute(
        select(out.kind, out.method, func.count(), func.count(func.distinct(out.registration_id)))
        .select_from(joined)
        .where(*where)
        .group_by(out.kind, out.method)
    )
    people = await conn.execute(
        select(func.count(func.distinct(out.registration_id))).select_from(joined).where(*where)
    )
    counts = [
        MailCount(MailKind(kind), Method(method) if method else None, int(n), int(who))
        for kind, method, n, who in rows.all()
    ]
    order = {Method.REQUEST: 0, Method.CANCEL: 1, None: 2}
    counts.sort(key=lambda c: (c.kind.value, order[c.method]))
    return MailTally(counts=tuple(counts), people=int(people.scalar() or 0))
