"""Migration 0012 fills `course_leader` from the courses' stored leaders, keyed by the same
normalisation the service uses, on both databases; what the previous release writes during an
upgrade is reconciled when a worker starts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update

from courses.services.context import ServiceContext
from courses.services.housekeeping import reconcile_leaders
from courses.services.staff.sign_in import is_staff
from courses.storage.migrate import current_revision, downgrade, head_revision, upgrade
from courses.storage.tables import course_leader_table, course_table

LEADERS = [
    {"name": "Kim Berg", "email": " Kim.Berg+asi@Vaxjo.SE "},
    {"name": "Ulla Utan Adress"},
    {"name": "Kim igen", "email": "kim.berg@vaxjo.se"},  # the same person twice: one row
    {"name": "Per Persson", "email": "per@ljungby.se"},
]


async def _pairs(ctx: ServiceContext) -> set[tuple[str, str]]:
    leader, course = course_leader_table.c, course_table.c
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(course.slug, leader.leader_key).join(course_table, course.id == leader.course_id)
        )
        return {(slug, key) for slug, key in rows.all()}


@pytest.fixture
async def before_0012(seeded: ServiceContext) -> AsyncIterator[ServiceContext]:
    """The seeded database stepped back to 0011, where one course got its leaders as the
    previous release stored them (in the course row only); left at the newest revision."""
    await downgrade(seeded.db.engine, "0011")
    async with seeded.db.engine.begin() as conn:
        await conn.execute(update(course_table).values(leaders=[]))
        await conn.execute(
            update(course_table).where(course_table.c.slug == "hap-2022").values(leaders=LEADERS)
        )
    yield seeded
    await upgrade(seeded.db.engine)


async def test_upgrade_fills_course_leaders_from_the_stored_courses(
    before_0012: ServiceContext,
) -> None:
    await upgrade(before_0012.db.engine)

    assert await current_revision(before_0012.db.engine) == head_revision()
    assert await _pairs(before_0012) == {
        ("hap-2022", "kim.berg@vaxjo.se"),
        ("hap-2022", "per@ljungby.se"),
    }
    assert await is_staff(before_0012, "KIM.BERG@vaxjo.se")
    assert not await is_staff(before_0012, "ulla@vaxjo.se")


async def test_downgrade_drops_the_table_and_upgrade_fills_it_again(
    before_0012: ServiceContext,
) -> None:
    await upgrade(before_0012.db.engine)
    await downgrade(before_0012.db.engine, "0011")

    await upgrade(before_0012.db.engine)

    assert len(await _pairs(before_0012)) == 2


async def test_leaders_written_by_the_previous_release_are_reconciled_when_a_worker_starts(
    seeded: ServiceContext,
) -> None:
    async with seeded.db.engine.begin() as conn:  # as the release before 0012 writes a course
        await conn.execute(
            update(course_table).where(course_table.c.slug == "hap-2022").values(leaders=LEADERS)
        )
    assert not await is_staff(seeded, "per@ljungby.se")

    assert await reconcile_leaders(seeded) == 1

    assert await is_staff(seeded, "per@ljungby.se")
    assert {key for slug, key in await _pairs(seeded) if slug == "hap-2022"} == {
        "kim.berg@vaxjo.se",
        "per@ljungby.se",
    }
    assert await reconcile_leaders(seeded) == 0
