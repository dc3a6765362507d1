"""Each organizer's statistics count its own courses and employers only, computed by the
database per organizer; a super-admin's are the two side by side, with the same numbers."""

from __future__ import annotations

from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.statistics import statistics
from courses.storage.staff_tables import attendance_table
from tests.conftest import ASI, form
from tests.services.admin_support import (
    OTHER_COURSE,
    OTHER_EMPLOYER,
    add_other_organizer,
    admin_of,
)


async def _attended(ctx: ServiceContext, receipt: RegistrationReceipt, *marks: bool) -> None:
    async with ctx.db.write() as conn:
        await conn.execute(
            attendance_table.insert(),
            [
                {
                    "registration_id": receipt.id,
                    "session_position": position,
                    "attended": attended,
                    "marked_at": ctx.clock.now(),
                    "marked_by": "kursledare",
                }
                for position, attended in enumerate(marks, start=1)
            ],
        )


async def test_two_organizers_statistics_are_apart(seeded: ServiceContext) -> None:
    admin_b = await add_other_organizer(seeded)
    admin_a = await admin_of(seeded)
    a1 = await register(seeded, ASI, form(1))
    await register(seeded, ASI, form(2))
    b1 = await register(
        seeded, OTHER_COURSE, form("b1", email="b1@b-kommun.se", employer=OTHER_EMPLOYER)
    )
    b2 = await register(
        seeded, OTHER_COURSE, form("b2", email="b2@b-kommun.se", employer=OTHER_EMPLOYER)
    )
    await register(
        seeded, OTHER_COURSE, form("b3", email="b3@b-kommun.se", employer=OTHER_EMPLOYER)
    )
    await _attended(seeded, a1, False, True)
    await _attended(seeded, b1, True)
    await _attended(seeded, b2, False)

    mine = await statistics(seeded, admin_a)
    theirs = await statistics(seeded, admin_b)
    every = await statistics(seeded, Actor.command_line())

    assert OTHER_COURSE not in {c.slug for c in mine.courses}
    assert OTHER_EMPLOYER not in {e.key for e in mine.employers}
    assert [c.slug for c in theirs.courses] == [OTHER_COURSE]
    assert [e.key for e in theirs.employers] == [OTHER_EMPLOYER]
    (b_course,) = theirs.courses
    (b_employer,) = theirs.employers
    assert (b_course.registered, b_course.confirmed, b_course.waitlisted) == (3, 2, 1)
    assert (b_course.attended, b_employer.registered, b_employer.attended) == (1, 3, 1)
    asi = next(c for c in mine.courses if c.slug == ASI)
    vaxjo = next(e for e in mine.employers if e.key == "vaxjo")
    assert (asi.registered, asi.attended, vaxjo.registered, vaxjo.attended) == (2, 1, 2, 1)
    assert every.courses == sorted(mine.courses + theirs.courses, key=lambda c: c.slug)
    assert every.employers == sorted(mine.employers + theirs.employers, key=lambda e: e.key)
