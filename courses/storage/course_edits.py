"""An admin's edits of one course's formats and sessions (the course row itself changes with
`courses.storage.courses.bump_revision`). The caller holds the course row's lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.tables import format_table, session_table

__all__ = ["delete_session", "set_format_seats", "update_session"]


async def set_format_seats(
    conn: AsyncConnection, course_id: int, key: str, seats: int | None
) -> None:
    """A format's cap; `recount_seats` afterwards sets its counter (kept only under a cap)."""
    fmt = format_table.c
    await conn.execute(
        update(format_table).where(fmt.course_id == course_id, fmt.key == key).values(seats=seats)
    )


async def update_session(
    conn: AsyncConnection, course_id: int, position: int, values: dict[str, Any]
) -> None:
    """Columns of one session (day, start_time, end_time, place); its position stays."""
    c = session_table.c
    await conn.execute(
        update(session_table)
        .where(c.course_id == course_id, c.position == position)
        .values(**values)
    )


async def delete_session(conn: AsyncConnection, course_id: int, position: int) -> None:
    """Remove one session; the others keep their positions (invites and attendance name them)."""
    c = session_table.c
    await conn.execute(
        delete(session_table).where(c.course_id == course_id, c.position == position)
    )
