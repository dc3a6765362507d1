"""A schedule file's `[[employer]]` made true in the database: created, changed, retired or
brought back (`retired`; a file without the key leaves an employer retired or not)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.schedule.spec import EmployerSpec
from courses.services.schedule.wording import EMPLOYER_FIELDS, diff_lines
from courses.storage.employers import employer_by_key, save_employer, set_retired

__all__ = ["sync_employer"]


async def sync_employer(
    conn: AsyncConnection, spec: EmployerSpec, organizer_id: int, *, now: datetime
) -> tuple[Literal["created", "changed", "unchanged"], list[str]]:
    """Save the employer as the file has it: what happened, and the report's lines of change.

    The caller has checked that a stored employer of that key is `organizer_id`'s."""
    values = {"name": spec.name, "kind": spec.kind, "domains": [d.lower() for d in spec.domains]}
    before, changed = await save_employer(
        conn,
        key=spec.key,
        organizer_id=organizer_id,
        **values,  # type: ignore[arg-type]
    )
    retiring = spec.retired is not None and (before is None or before.retired != spec.retired)
    if retiring:
        after = await employer_by_key(conn, spec.key)
        assert after is not None
        await set_retired(conn, after.id, retired_at=now if spec.retired else None)
    if before is None:
        return "created", []
    if not changed and not retiring:
        return "unchanged", []
    old = {"name": before.name, "kind": before.kind, "domains": before.domains}
    lines = list(diff_lines(old, values, EMPLOYER_FIELDS))
    if retiring:
        lines.append("inaktiverad" if spec.retired else "aktiverad igen")
    return "changed", lines
