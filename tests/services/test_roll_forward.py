"""Next year from this year: courses copied to new dates as drafts, holidays named first."""

from __future__ import annotations

from datetime import date, time

import pytest

from courses.domain.errors import CourseNotFound, Forbidden, InvalidInput
from courses.domain.permissions import Actor
from courses.domain.rules import CourseStatus
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.services.schedule.roll_forward import Holiday, copy_course, roll_forward
from courses.storage.courses import load_course, slugs_in_use
from tests.conftest import form
from tests.services.admin_support import (
    LEADER,
    OTHER_COURSE,
    actions,
    add_other_organizer,
    admin_of,
)

ASI = "asi-grund-2022"
HAP = "hap-2022"

# Every day a course can have, on a course whose sessions land on midsommarafton and
# julafton 52 weeks later (24 June 2022 → 23 June 2023; 25 December 2022 → 24 December 2023).
RICH = """
[[course]]
slug = "sommarkurs-2022"
title = "Sommarkurs"
description = "Om sommaren."
leaders = [{ name = "Eva Ek", email = "eva.ek@kronoberg.se" }, { name = "Bo Al" }]
opens = 2022-04-01
deadline = 2022-06-01
seats = 10
waitlist = false
info_url = "https://example.se/sommar"
allocation = "lottery"
draw = 2022-06-03
per_employer = 2
share_until = 2022-05-20
approval = "manager"
approval_days = 5
[[course.format]]
key = "ljungby"
kind = "on_site"
place = "Ljungby"
seats = 6
[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "https://meet.example.se/sommar"
[[course.session]]
date = 2022-06-21
start = 09:00:00
end = 12:00:00
place = "Sal 1"
[[course.session]]
date = 2022-06-24
[[course.session]]
date = 2022-12-25
"""


@pytest.fixture
async def admin(seeded: ServiceContext) -> Actor:
    await import_schedule(seeded, parse_schedule(RICH))
    return await admin_of(seeded)


async def test_a_dry_run_names_next_years_copies_and_creates_nothing(
    seeded: ServiceContext, admin: Actor
) -> None:
    async with seeded.db.read() as conn:
        before = await slugs_in_use(conn)
    logged = len(await actions(seeded))

    plan = await roll_forward(seeded, admin, [ASI, HAP], dry_run=True)

    assert [c.slug for c in plan.copies] == ["asi-grund-2023", "hap-2023"]
    asi = plan.copies[0]
    assert asi.source == ASI
    assert asi.sessions == [
        date(2023, 9, 13),
        date(2023, 9, 14),
        date(2023, 11, 9),
        date(2024, 5, 2),
    ]
    assert asi.spec.deadline == date(2023, 8, 31)
    assert all(
        a.weekday() == b.weekday()
        for a, b in zip(
            asi.sessions,
            [date(2022, 9, 14), date(2022, 9, 15), date(2022, 11, 10), date(2023, 5, 4)],
            strict=True,
        )
    )
    assert not plan.created
    async with seeded.db.read() as conn:
        assert await slugs_in_use(conn) == before
    assert len(await actions(seeded)) == logged


async def test_every_day_moves_and_holidays_are_named(seeded: ServiceContext, admin: Actor) -> None:
    plan = await roll_forward(seeded, admin, ["sommarkurs-2022"], dry_run=True)

    [copy] = plan.copies
    assert copy.slug == "sommarkurs-2023"
    assert copy.sessions == [date(2023, 6, 20), date(2023, 6, 23), date(2023, 12, 24)]
    assert (copy.spec.opens, copy.spec.deadline) == (date(2023, 3, 31), date(2023, 5, 31))
    assert copy.spec.share_until == date(2023, 5, 19)
    assert copy.draw == date(2023, 6, 2)
    assert copy.holidays == [
        Holiday(date(2023, 6, 23), "Midsommarafton"),
        Holiday(date(2023, 12, 24), "Julafton"),
    ]


async def test_the_copies_are_drafts_with_everything_but_the_registrations(
    seeded: ServiceContext, admin: Actor
) -> None:
    await register(seeded, ASI, form(1))

    plan = await roll_forward(seeded, admin, ["sommarkurs-2022", ASI])

    assert plan.created
    async with seeded.db.read() as conn:
        source = await load_course(conn, "sommarkurs-2022")
        copy = await load_course(conn, "sommarkurs-2023")
        asi = await load_course(conn, "asi-grund-2023")
    assert source is not None
    assert copy is not None
    assert asi is not None
    assert copy.status is CourseStatus.DRAFT
    assert asi.status is CourseStatus.DRAFT
    assert asi.confirmed_count == 0
    assert asi.seats == 4
    assert (copy.title, copy.description, copy.leaders) == (
        source.title,
        source.description,
        source.leaders,
    )
    assert (copy.seats, copy.waitlist, copy.info_url) == (10, False, "https://example.se/sommar")
    assert (copy.allocation, copy.per_employer, copy.approval_days) == ("lottery", 2, 5)
    assert copy.draw_on == date(2023, 6, 2)
    assert copy.drawn_at is None
    assert [(f.key, f.kind, f.place, f.seats, f.meeting_url) for f in copy.formats] == [
        (f.key, f.kind, f.place, f.seats, f.meeting_url) for f in source.formats
    ]
    first = copy.sessions[0]
    assert (first.day, first.start_time, first.end_time, first.place) == (
        date(2023, 6, 20),
        time(9),
        time(12),
        "Sal 1",
    )
    [entry] = [a for a in await actions(seeded) if a.action == "schedule.import"][:1]
    assert entry.actor == "admin av kronoberg-beroende"
    assert "nytt år (52 veckor framåt)" in entry.summary
    assert "2 nya" in entry.summary


async def test_a_second_roll_forward_gets_free_slugs(seeded: ServiceContext, admin: Actor) -> None:
    await roll_forward(seeded, admin, [ASI])

    again = await roll_forward(seeded, admin, [ASI])
    third = await roll_forward(seeded, admin, [ASI], dry_run=True)

    assert [c.slug for c in again.copies] == ["asi-grund-2023-2"]
    assert [c.slug for c in third.copies] == ["asi-grund-2023-3"]


async def test_a_copy_of_a_copy_moves_on_to_the_next_year(
    seeded: ServiceContext, admin: Actor
) -> None:
    await roll_forward(seeded, admin, [ASI])

    plan = await roll_forward(seeded, admin, ["asi-grund-2023"], weeks=52, dry_run=True)

    assert plan.copies[0].slug == "asi-grund-2024"


async def test_bad_requests_are_refused_with_their_field(
    seeded: ServiceContext, admin: Actor
) -> None:
    with pytest.raises(InvalidInput) as empty:
        await roll_forward(seeded, admin, [])
    with pytest.raises(InvalidInput) as too_far:
        await roll_forward(seeded, admin, [ASI], weeks=105)
    with pytest.raises(InvalidInput) as unknown:
        await roll_forward(seeded, admin, [ASI, "finns-inte"])

    assert [e.field for e in empty.value.errors] == ["courses"]
    assert [e.field for e in too_far.value.errors] == ["weeks"]
    assert "mellan 1 och 104" in too_far.value.detail
    assert unknown.value.detail == "Det finns ingen kurs som heter 'finns-inte'."
    async with seeded.db.read() as conn:
        assert "asi-grund-2023" not in await slugs_in_use(conn)


async def test_another_organizers_course_is_answered_as_missing(seeded: ServiceContext) -> None:
    other_admin = await add_other_organizer(seeded)
    admin = await admin_of(seeded)

    with pytest.raises(InvalidInput) as refused:
        await roll_forward(seeded, admin, [OTHER_COURSE], dry_run=True)
    with pytest.raises(CourseNotFound):
        await copy_course(seeded, other_admin, ASI, weeks=52, dry_run=True)

    assert refused.value.detail == f"Det finns ingen kurs som heter {OTHER_COURSE!r}."


async def test_a_leader_may_not_roll_courses_forward(seeded: ServiceContext) -> None:
    with pytest.raises(Forbidden):
        await roll_forward(seeded, LEADER, [ASI], dry_run=True)
    with pytest.raises(Forbidden):
        await copy_course(seeded, LEADER, ASI, weeks=1, dry_run=True)


async def test_a_course_is_copied_to_a_new_first_day(seeded: ServiceContext, admin: Actor) -> None:
    # 14 September 2022 → Monday 3 October 2022: every day 19 days later; same year.
    plan = await copy_course(seeded, admin, ASI, first_day=date(2022, 10, 3))

    [copy] = plan.copies
    assert copy.slug == "asi-grund-2022-2"
    assert copy.sessions == [
        date(2022, 10, 3),
        date(2022, 10, 4),
        date(2022, 11, 29),
        date(2023, 5, 23),
    ]
    assert copy.spec.deadline == date(2022, 9, 20)
    async with seeded.db.read() as conn:
        stored = await load_course(conn, "asi-grund-2022-2")
    assert stored is not None
    assert stored.status is CourseStatus.DRAFT


async def test_a_copy_to_a_day_in_the_past_or_too_far_ahead_is_refused(
    seeded: ServiceContext, admin: Actor
) -> None:
    with pytest.raises(InvalidInput) as past:
        await copy_course(seeded, admin, ASI, first_day=date(2022, 2, 1))
    with pytest.raises(InvalidInput) as both:
        await copy_course(seeded, admin, ASI, first_day=date(2022, 10, 3), weeks=2)
    with pytest.raises(InvalidInput) as far:
        await copy_course(seeded, admin, ASI, first_day=date(9999, 12, 20))

    assert "högst två år fram" in far.value.detail
    assert [e.field for e in past.value.errors] == ["first_day"]
    assert "före i dag (1 mars 2022)" in past.value.detail
    assert [e.field for e in both.value.errors] == ["first_day"]
