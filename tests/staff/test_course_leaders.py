"""Who leads a course is looked up by address (`course_leader`), kept in step by every path
that sets a course's leaders: an import, the course editor, a course created through the API.
A leader set is found at sign-in and among their courses; a leader removed is lost at once."""

from __future__ import annotations

from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.schedule.entry import parse_course
from courses.services.attendance.attendees import my_courses
from courses.services.context import ServiceContext
from courses.services.schedule.course_edits import CourseEdit, change_course
from courses.services.schedule.editor import save_course
from courses.services.schedule.importing import import_schedule
from courses.services.staff.sign_in import is_staff
from courses.storage.organizers import organizer_by_key
from tests.staff.support import COURSE_A, COURSE_B, LEADER_A, LEADER_B, OTHER_COURSE, staff_world

NEW_LEADER = "Nina.Ny+kurs@Kronoberg.se"
NEW_KEY = "nina.ny@kronoberg.se"


def _leader(email: str) -> Actor:
    return Actor(label=email, leader_key=email)


async def _admin(ctx: ServiceContext, key: str) -> Actor:
    async with ctx.db.read() as conn:
        organizer = await organizer_by_key(conn, key)
    assert organizer is not None
    return Actor(label=f"admin av {key}", admin_of=frozenset({organizer.id}))


async def _slugs(ctx: ServiceContext, actor: Actor) -> list[str]:
    return sorted(course.slug for course in await my_courses(ctx, actor))


async def test_a_leader_changed_by_an_import_is_found_and_the_old_one_lost(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)
    schedule = parse_schedule(
        f"""
[organizer]
key = "kronoberg-beroende"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"

[[course]]
slug = "{COURSE_A}"
title = "Återfallsprevention för ledare A"
leaders = [{{ name = "Nina Ny", email = "{NEW_LEADER}" }}, {{ name = "Utan adress" }}]
deadline = 2022-04-01
seats = 10
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-04-20
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2022-04-27
start = 09:00:00
end = 12:30:00
"""
    )
    assert await is_staff(seeded, LEADER_A)

    await import_schedule(seeded, schedule)

    assert not await is_staff(seeded, LEADER_A)
    assert await is_staff(seeded, "nina.ny@kronoberg.se")
    assert await _slugs(seeded, _leader(LEADER_A)) == []
    assert await _slugs(seeded, _leader(NEW_KEY)) == [COURSE_A]


async def test_a_leader_changed_in_the_course_editor_is_found_and_the_old_one_lost(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)
    admin = await _admin(seeded, "kronoberg-beroende")

    await change_course(
        seeded,
        admin,
        COURSE_A,
        CourseEdit(leaders=[{"name": "Bo Ledare", "email": LEADER_B.upper()}]),
    )

    assert not await is_staff(seeded, LEADER_A)
    assert await _slugs(seeded, _leader(LEADER_A)) == []
    assert await _slugs(seeded, _leader(LEADER_B)) == [COURSE_A, COURSE_B]


async def test_a_course_created_through_the_api_makes_its_leader_staff_but_a_preview_does_not(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)
    admin = await _admin(seeded, "kronoberg-beroende")
    entry = parse_course(
        {
            "slug": "ny-ledarkurs-2022",
            "title": "Ny kurs",
            "leaders": [{"name": "Nina Ny", "email": NEW_LEADER}],
            "deadline": "2022-04-01",
            "format": [{"key": "digital", "kind": "digital"}],
            "session": [{"date": "2022-04-25"}],
        }
    )

    await save_course(seeded, admin, entry, revision=None, dry_run=True)
    assert not await is_staff(seeded, NEW_LEADER)

    await save_course(seeded, admin, entry, revision=None)
    assert await is_staff(seeded, NEW_LEADER)
    assert await _slugs(seeded, _leader(NEW_KEY)) == ["ny-ledarkurs-2022"]


async def test_my_courses_are_the_led_ones_and_the_administered_organizers(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)
    admin_b = await _admin(seeded, "annan")
    leading_admin = Actor(label=LEADER_A, leader_key=LEADER_A, admin_of=admin_b.admin_of)
    everyone = Actor.command_line()

    assert await _slugs(seeded, admin_b) == [OTHER_COURSE]
    assert await _slugs(seeded, leading_admin) == [OTHER_COURSE, COURSE_A]
    assert await _slugs(seeded, Actor(label="ingen")) == []
    assert {COURSE_A, COURSE_B, OTHER_COURSE} <= set(await _slugs(seeded, everyone))
