"""Migration 0003 keys every stored registration again without its `+tag`, on both databases,
and keeps the one-active-registration index valid when old rows collide."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from courses.services.context import ServiceContext
from courses.storage.migrate import current_revision, downgrade, head_revision, upgrade
from courses.storage.tables import course_table, employer_table, registration_table

T0 = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)


async def _ids(ctx: ServiceContext) -> tuple[int, int, int]:
    async with ctx.db.read() as conn:
        courses = (
            await conn.execute(
                select(course_table.c.id)
                .where(course_table.c.slug.in_(["asi-grund-2022", "hap-2022"]))
                .order_by(course_table.c.slug)
            )
        ).scalars()
        asi, hap = list(courses)
        vaxjo = (
            await conn.execute(select(employer_table.c.id).where(employer_table.c.key == "vaxjo"))
        ).scalar_one()
    return asi, hap, vaxjo


def _row(n: int, course_id: int, employer_id: int, email: str, status: str) -> dict[str, Any]:
    """A registration as the code before 0003 stored it: the key only trimmed and lowered."""
    return {
        "course_id": course_id,
        "employer_id": employer_id,
        "name": f"Deltagare {n}",
        "email": email,
        "email_key": email.strip().lower(),
        "workplace": "Beroendemottagningen",
        "status": status,
        "queue_no": n,
        "token_hash": f"{n:064x}",
        "created_at": T0 + timedelta(minutes=n),
        "updated_at": T0 + timedelta(minutes=n),
    }


async def _keys(ctx: ServiceContext) -> dict[str, str]:
    reg = registration_table.c
    async with ctx.db.read() as conn:
        rows = await conn.execute(select(reg.name, reg.email_key).order_by(reg.id))
        return {name: key for name, key in rows.all()}


@pytest.fixture
async def before_0003(seeded: ServiceContext) -> AsyncIterator[ServiceContext]:
    """The seeded database stepped back to 0002, holding rows stored under the old rule; left
    at the newest revision again (PostgreSQL's test database is shared by later tests)."""
    asi, hap, vaxjo = await _ids(seeded)
    await downgrade(seeded.db.engine, "0002")
    rows = [
        _row(1, asi, vaxjo, "Kim.Berg+asi@Vaxjo.se", "confirmed"),
        _row(2, asi, vaxjo, "kim.berg@vaxjo.se", "waitlisted"),
        _row(3, asi, vaxjo, "kim.berg+igen@vaxjo.se", "confirmed"),
        _row(4, asi, vaxjo, "kim.berg+avbokad@vaxjo.se", "cancelled"),
        _row(5, hap, vaxjo, "Kim.Berg+hap@vaxjo.se", "confirmed"),
        _row(6, asi, vaxjo, " Anna@VAXJO.SE ", "confirmed"),
    ]
    async with seeded.db.engine.begin() as conn:
        await conn.execute(insert(registration_table), rows)
    yield seeded
    await upgrade(seeded.db.engine)


async def test_upgrade_keys_every_row_without_its_plus_tag(before_0003: ServiceContext) -> None:
    await upgrade(before_0003.db.engine)

    keys = await _keys(before_0003)
    assert await current_revision(before_0003.db.engine) == head_revision()
    assert keys["Deltagare 1"] == "kim.berg@vaxjo.se"  # the oldest active one keeps the key
    assert keys["Deltagare 4"] == "kim.berg@vaxjo.se"  # cancelled: outside the unique index
    assert keys["Deltagare 5"] == "kim.berg@vaxjo.se"  # another course
    assert keys["Deltagare 6"] == "anna@vaxjo.se"


async def test_later_active_rows_of_one_mailbox_get_distinct_keys(
    before_0003: ServiceContext,
) -> None:
    await upgrade(before_0003.db.engine)

    keys = await _keys(before_0003)
    later = {keys["Deltagare 2"], keys["Deltagare 3"]}
    assert len(later) == 2
    assert "kim.berg@vaxjo.se" not in later
    assert all(key.startswith("kim.berg@vaxjo.se~") for key in later)


async def test_after_the_upgrade_the_mailbox_cannot_take_another_seat(
    before_0003: ServiceContext,
) -> None:
    await upgrade(before_0003.db.engine)
    asi, _, vaxjo = await _ids(before_0003)
    again = _row(7, asi, vaxjo, "kim.berg@vaxjo.se", "confirmed")

    with pytest.raises(IntegrityError):
        async with before_0003.db.engine.begin() as conn:
            await conn.execute(insert(registration_table).values(**again))


async def test_downgrade_restores_the_old_keys(before_0003: ServiceContext) -> None:
    await upgrade(before_0003.db.engine)

    await downgrade(before_0003.db.engine, "0002")

    keys = await _keys(before_0003)
    assert keys["Deltagare 1"] == "kim.berg+asi@vaxjo.se"
    assert keys["Deltagare 2"] == "kim.berg@vaxjo.se"
    assert keys["Deltagare 6"] == "anna@vaxjo.se"
