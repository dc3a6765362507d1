"""A page of courses is chosen by the database: its state filter agrees with the state every
listing computes (courses.domain.rules), whatever the moment, on both databases."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from courses.clock import FixedClock
from courses.domain.paging import Window, month_span
from courses.domain.rules import RegistrationState
from courses.services.catalogue.listing import course_page, list_courses
from courses.services.context import ServiceContext
from courses.storage.tables import course_table, format_table
from tests.conftest import fill_asi, local

C = course_table.c


@pytest.fixture
async def every_state(seeded: ServiceContext) -> ServiceContext:
    """The seeded courses bent so that each state is somebody's at some moment below."""
    await fill_asi(seeded, waiting=0)  # full, with a waitlist
    async with seeded.db.write() as conn:
        await conn.execute(
            update(course_table)
            .where(C.slug == "asi-metodstod-2022")
            .values(opens=datetime(2022, 3, 15).date())
        )
        await conn.execute(
            update(course_table)
            .where(C.slug == "aterfallsprevention-2022")
            .values(status="cancelled")
        )
        await conn.execute(  # full and no waitlist
            update(course_table)
            .where(C.slug == "lvm-forelasning-2022")
            .values(seats=1, confirmed_count=1, waitlist=False)
        )
        metodstod = select(C.id).where(C.slug == "asi-metodstod-2022").scalar_subquery()
        await conn.execute(  # every format full: the waitlist although the course has no cap
            update(format_table).where(format_table.c.course_id == metodstod).values(seats=0)
        )
        await conn.execute(  # open until its first session has begun
            update(course_table)
            .where(C.slug == "hap-2022")
            .values(deadline=datetime(2022, 12, 31).date(), waitlist=False)
        )
    return seeded


@pytest.mark.parametrize(
    "moment",
    [
        local(2022, 3, 1, 10, 0),
        local(2022, 3, 15, 0, 0),
        local(2022, 3, 21, 0, 0),
        local(2022, 11, 8, 8, 59),
        local(2022, 11, 8, 9, 0),
    ],
)
async def test_the_state_filter_agrees_with_each_course_state(
    every_state: ServiceContext, clock: FixedClock, moment: datetime
) -> None:
    clock.set(moment)
    listed = await list_courses(every_state)

    for state in RegistrationState:
        page = await course_page(every_state, Window(limit=50), state=state)
        expected = [c.course.slug for c in listed if c.state is state]
        assert [c.course.slug for c in page.items] == expected, (moment, state)
        assert page.total == len(expected)
        assert all(c.state is state for c in page.items)


async def test_every_state_occurs_above(every_state: ServiceContext, clock: FixedClock) -> None:
    seen = set()
    for moment in [local(2022, 3, 1, 10, 0), local(2022, 3, 15, 0, 0), local(2022, 11, 8, 8, 59)]:
        clock.set(moment)
        seen |= {c.state for c in await list_courses(every_state)}
    assert seen == set(RegistrationState)


async def test_a_month_is_any_session_in_it(seeded: ServiceContext) -> None:
    page = await course_page(seeded, Window(limit=1), month=month_span("2022-11"))

    assert ([c.course.slug for c in page.items], page.total) == (["asi-grund-2022"], 2)
    assert (page.first, page.last, page.has_next, page.has_previous) == (1, 1, True, False)
