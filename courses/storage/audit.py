"""The audit log's statements: one row per staff action, listed newest first."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.staff_tables import audit_table

__all__ = ["AuditRecord", "count_entries", "list_entries", "write_entry"]

_AUDIT = audit_table.c


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    organizer_id: int | None
    action: str
    course_slug: str | None
    summary: str
    details: dict[str, Any]


async def write_entry(
    conn: AsyncConnection,
    *,
    at: datetime,
    actor: str,
    organizer_id: int | None,
    action: str,
    course_slug: str | None,
    summary: str,
    details: dict[str, Any],
) -> None:
    await conn.execute(
        audit_table.insert().values(
            at=at,
            actor=actor,
            organizer_id=organizer_id,
            action=action,
            course_slug=course_slug,
            summary=summary,
            details=details,
        )
    )


def _chosen(
    organizer_ids: Collection[int] | None, course_slug: str | None, action: str | None
) -> list[Any]:
    found = []
    if organizer_ids is not None:
        found.append(_AUDIT.organizer_id.in_(organizer_ids))
    if course_slug is not None:
        found.append(_AUDIT.course_slug == course_slug)
    if action is not None:
        found.append(_AUDIT.action == action)
    return found


async def list_entries(
    conn: AsyncConnection,
    *,
    organizer_ids: Collection[int] | None,
    course_slug: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditRecord]:
    """Newest first; `organizer_ids` None: every organizer's (and those of none)."""
    query = (
        select(audit_table)
        .where(*_chosen(organizer_ids, course_slug, action))
        .order_by(_AUDIT.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if before_id is not None:
        query = query.where(_AUDIT.id < before_id)
    return [
        AuditRecord(
            row.id,
            row.at,
            row.actor,
            row.organizer_id,
            row.action,
            row.course_slug,
            row.summary,
            dict(row.details),
        )
        for row in await conn.execute(query)
    ]


async def count_entries(
    conn: AsyncConnection,
    *,
    organizer_ids: Collection[int] | None,
    course_slug: str | None = None,
    action: str | None = None,
) -> int:
    """How many entries `list_entries` would page through."""
    query = select(func.count()).select_from(audit_table)
    found = await conn.execute(query.where(*_chosen(organizer_ids, course_slug, action)))
    return int(found.scalar_one())
