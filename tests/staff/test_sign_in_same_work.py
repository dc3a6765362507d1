"""Asking for a sign-in link does the same work for a known and an unknown address: the same
SQL statements, in the same order. Only the mail worker, later and out of band, tells them
apart (an outside probe once timed the answer: known addresses were 3 ms slower)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from courses.services.context import ServiceContext
from courses.services.staff import sign_in as access
from tests.staff.support import LEADER_A, staff_world


@contextmanager
def statements(ctx: ServiceContext) -> Iterator[list[str]]:
    """Every SQL statement the database is sent inside the block, parameters left out."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = ctx.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_known_and_an_unknown_address_run_the_same_statements(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)

    with statements(seeded) as known:
        await access.request_sign_in(seeded, LEADER_A)
    with statements(seeded) as unknown:
        await access.request_sign_in(seeded, "okand@kronoberg.se")
    with statements(seeded) as known_again:
        await access.request_sign_in(seeded, LEADER_A)

    assert known
    assert known == unknown == known_again
    assert not any("staff_account" in s or "course" in s for s in known)
    assert await access.admit_sign_in_requests(seeded) == 2
