"""The writes of a schedule import: a course row, and its formats and sessions made to match.

What changed is returned as data (old and new values); the service words it for the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import ACTIVE_STATUSES
from courses.storage.tables import course_table, format_table, registration_table, session_table

__all__ = [
    "Child",
    "ChildChanges",
    "create_course",
    "formats_in_use",
    "stored_course",
    "sync_formats",
    "sync_sessions",
]


@dataclass(frozen=True, slots=True)
class Child:
    """One format (identity: its key) or session (identity: its position) as wanted."""

    identity: Any
    values: dict[str, Any]


@dataclass(slots=True)
class ChildChanges:
    touched: list[tuple[Child, dict[str, tuple[Any, Any]] | None]] = field(default_factory=list)
    """In the file's order: (child, None) for an added one, (child, {column: (old, new)}) for
    one with a column that differs."""
    removed: list[dict[str, Any]] = field(default_factory=list)
    """The stored rows of removed children."""


async def formats_in_use(
    conn: AsyncConnection, slug: str, keep: Sequence[str]
) -> list[tuple[str, int]]:
    """(format key, active registrations) of the course's formats that are not in `keep`."""
    fmt, reg = format_table.c, registration_table.c
    found = await conn.execute(
        select(fmt.key, func.count(reg.id))
        .join(course_table, course_table.c.id == fmt.course_id)
        .join(registration_table, reg.format_id == fmt.id)
        .where(course_table.c.slug == slug)
        .where(fmt.key.not_in(keep))
        .where(reg.status.in_([s.value for s in ACTIVE_STATUSES]))
        .group_by(fmt.key)
    )
    return [(key, int(count)) for key, count in found.all()]


async def stored_course(conn: AsyncConnection, slug: str) -> dict[str, Any] | None:
    """The course row's columns, or None for a new slug."""
    row = (await conn.execute(select(course_table).where(course_table.c.slug == slug))).first()
    return None if row is None else dict(row._mapping)


async def create_course(
    conn: AsyncConnection, slug: str, values: dict[str, Any], *, now: datetime
) -> int:
    result = await conn.execute(
        course_table.insert()
        .values(slug=slug, created_at=now, updated_at=now, **values)
        .returning(course_table.c.id)
    )
    return int(result.scalar_one())


async def _sync(
    conn: AsyncConnection, table: Table, identity: str, course_id: int, wanted: list[Child]
) -> ChildChanges:
    rows = await conn.execute(select(table).where(table.c.course_id == course_id))
    existing = {getattr(row, identity): dict(row._mapping) for row in rows.all()}
    changes = ChildChanges()
    for child in wanted:
        stored = existing.pop(child.identity, None)
        if stored is None:
            await conn.execute(
                table.insert().values(
                    course_id=course_id, **{identity: child.identity}, **child.values
                )
            )
            changes.touched.append((child, None))
            continue
        differ = {k: (stored[k], v) for k, v in child.values.items() if stored[k] != v}
        if differ:
            await conn.execute(
                update(table).where(table.c.id == stored["id"]).values(**child.values)
            )
            changes.touched.append((child, differ))
    for stored in existing.values():
        # A format gets here only without active registrations (checked before any write).
        await conn.execute(delete(table).where(table.c.id == stored["id"]))
        changes.removed.append(stored)
    return changes


async def sync_formats(conn: AsyncConnection, course_id: int, wanted: list[Child]) -> ChildChanges:
    return await _sync(conn, format_table, "key", course_id, wanted)


async def sync_sessions(conn: AsyncConnection, course_id: int, wanted: list[Child]) -> ChildChanges:
    return await _sync(conn, session_table, "position", course_id, wanted)
