"""Statements of sign-in requests: queue one, see whether any wait, take a batch.

Taking deletes the rows it returns, in the caller's transaction: the decision on each (a link
and its mail, or nothing) commits with the deletion, so a request is decided exactly once and
its address is not kept once decided. On PostgreSQL two workers skip each other's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.staff_tables import sign_in_request_table

__all__ = ["Request", "add_request", "has_requests", "take_requests"]

_REQ = sign_in_request_table.c


@dataclass(frozen=True, slots=True)
class Request:
    email: str
    created_at: datetime


async def add_request(conn: AsyncConnection, *, email: str, now: datetime) -> None:
    """One INSERT, whoever asks: nothing here depends on whether the address is known."""
    await conn.execute(sign_in_request_table.insert().values(email=email, created_at=now))


async def has_requests(conn: AsyncConnection) -> bool:
    """A cheap read before taking the write lock."""
    found = await conn.execute(select(_REQ.id).limit(1))
    return found.first() is not None


async def take_requests(conn: AsyncConnection, *, limit: int) -> list[Request]:
    """Delete up to `limit` requests, oldest first, and return them."""
    oldest = select(_REQ.id).order_by(_REQ.id).limit(limit)
    if conn.dialect.name == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    result = await conn.execute(
        delete(sign_in_request_table)
        .where(_REQ.id.in_(oldest.scalar_subquery()))
        .returning(_REQ.id, _REQ.email, _REQ.created_at)
    )
    rows = sorted(result.all(), key=lambda row: row.id)
    return [Request(email=row.email, created_at=row.created_at) for row in rows]
