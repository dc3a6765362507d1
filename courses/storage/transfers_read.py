"""Who handed a seat to whom, as the registrant's own page says it: the name of the one whose
seat a registration took over, and of the colleague who took over a registration's seat
(`courses.services.registration.lookup`). The writes are `courses.storage.transfers`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.tables import registration_table

__all__ = ["replaced_by_name", "replaces_name"]

_REG = registration_table.c


async def replaces_name(conn: AsyncConnection, replaces_id: int) -> str | None:
    """The name on the registration whose seat was handed on (its `replaces_id`)."""
    found = await conn.execute(select(_REG.name).where(_REG.id == replaces_id))
    name = found.scalar_one_or_none()
    return None if name is None else str(name)


async def replaced_by_name(
    conn: AsyncConnection, registration_id: int, *, course_id: int
) -> str | None:
    """The name on the registration that took over `registration_id`'s seat, if one did.

    `replaces_id` has no index of its own: the course narrows the search to one course's
    registrations (`ix_registration_queue` starts with the course), and only a registration
    that handed its seat on asks."""
    found = await conn.execute(
        select(_REG.name)
        .where(_REG.course_id == course_id, _REG.replaces_id == registration_id)
        .order_by(_REG.id)
        .limit(1)
    )
    name = found.scalar_one_or_none()
    return None if name is None else str(name)
