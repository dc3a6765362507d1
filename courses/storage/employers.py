"""Employers whose staff may register, and their mail domains."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.employers import EmployerKind, EmployerRecord
from courses.domain.rules import ACTIVE_STATUSES
from courses.storage.tables import employer_table, registration_table

__all__ = [
    "all_employers",
    "delete_employer",
    "employer_by_key",
    "registration_counts",
    "save_employer",
    "set_retired",
]

_EMPLOYER = employer_table.c


def _record(row: Any) -> EmployerRecord:
    return EmployerRecord(
        row.id, row.key, row.name, row.kind, list(row.domains), row.organizer_id, row.retired_at
    )


async def employer_by_key(conn: AsyncConnection, key: str) -> EmployerRecord | None:
    row = (await conn.execute(select(employer_table).where(_EMPLOYER.key == key))).first()
    return None if row is None else _record(row)


async def all_employers(
    conn: AsyncConnection, *, organizer_id: int | None = None, active_only: bool = False
) -> list[EmployerRecord]:
    """Every employer, or one organizer's; `active_only` leaves the retired out."""
    query = select(employer_table)
    if organizer_id is not None:
        query = query.where(_EMPLOYER.organizer_id == organizer_id)
    if active_only:
        query = query.where(_EMPLOYER.retired_at.is_(None))
    return [_record(row) for row in (await conn.execute(query)).all()]


async def save_employer(
    conn: AsyncConnection,
    *,
    key: str,
    name: str,
    kind: EmployerKind,
    domains: Sequence[str],
    organizer_id: int,
) -> tuple[EmployerRecord | None, bool]:
    """Create or update the employer `key`: (what was stored before, whether anything changed).

    The caller checks that a stored employer belongs to `organizer_id`."""
    before = await employer_by_key(conn, key)
    values = {"name": name, "kind": kind, "domains": list(domains)}
    if before is None:
        await conn.execute(
            employer_table.insert().values(key=key, organizer_id=organizer_id, **values)
        )
        return None, True
    if (before.name, before.kind, before.domains) == (name, kind, list(domains)):
        return before, False
    await conn.execute(update(employer_table).where(_EMPLOYER.id == before.id).values(**values))
    return before, True


async def set_retired(
    conn: AsyncConnection, employer_id: int, *, retired_at: datetime | None
) -> bool:
    """Retire the employer (`retired_at`) or bring it back (None); False when it already was
    so (one conditional UPDATE: two admins retiring at once record it once)."""
    state = _EMPLOYER.retired_at.is_(None) if retired_at else _EMPLOYER.retired_at.is_not(None)
    result = await conn.execute(
        update(employer_table)
        .where(_EMPLOYER.id == employer_id, state)
        .values(retired_at=retired_at)
    )
    return bool(result.rowcount)


async def registration_counts(conn: AsyncConnection, employer_id: int) -> tuple[int, int]:
    """(active, all) registrations naming the employer."""
    reg = registration_table.c
    active = func.count().filter(reg.status.in_([s.value for s in ACTIVE_STATUSES]))
    found = await conn.execute(select(active, func.count()).where(reg.employer_id == employer_id))
    row = found.one()
    return int(row[0]), int(row[1])


async def delete_employer(conn: AsyncConnection, employer_id: int) -> None:
    await conn.execute(delete(employer_table).where(_EMPLOYER.id == employer_id))
