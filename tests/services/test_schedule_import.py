"""Importing a schedule: atomic, idempotent, and a changed file updates what changed."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest
from sqlalchemy import func, select

from courses.domain.errors import RegistrationClosed
from courses.domain.rules import RegistrationStatus
from courses.schedule import ScheduleError, parse_schedule
from courses.schedule.spec import Schedule
from courses.services.catalogue.listing import get_course, list_courses, list_employers
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import Action, import_schedule
from courses.storage.tables import course_table, registration_table
from tests.conftest import form, local

ASI = "asi-grund-2022"


def with_course(schedule: Schedule, slug: str, **changes: object) -> Schedule:
    courses = [
        msgspec.structs.replace(c, **changes) if c.slug == slug else c for c in schedule.course
    ]
    return msgspec.structs.replace(schedule, course=courses)


async def count_rows(ctx: ServiceContext, table: object) -> int:
    async with ctx.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_first_import_creates_everything(
    ctx: ServiceContext, seed_schedule: Schedule
) -> None:
    report = await import_schedule(ctx, seed_schedule)

    assert {i.action for i in report.items} == {Action.CREATED}
    assert [i.key for i in report.items if i.kind == "organizer"] == ["kronoberg-beroende"]
    assert len(report.items) == 15
    assert len(await list_courses(ctx)) == 5
    assert len(await list_employers(ctx)) == 9


async def test_importing_the_same_file_twice_changes_nothing(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    before = await list_courses(seeded)

    report = await import_schedule(seeded, seed_schedule)

    assert not report.changed
    assert {i.action for i in report.items} == {Action.UNCHANGED}
    assert await list_courses(seeded) == before


async def test_a_moved_session_is_reported_and_stored(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    asi = next(c for c in seed_schedule.course if c.slug == ASI)
    sessions = list(asi.session)
    sessions[1] = msgspec.structs.replace(sessions[1], date=sessions[1].date.replace(day=16))

    report = await import_schedule(seeded, with_course(seed_schedule, ASI, session=sessions))

    changed = [i for i in report.items if i.action is Action.CHANGED]
    assert [i.key for i in changed] == [ASI]
    assert changed[0].changes == ["kursdag 2 datum: 2022-09-15 → 2022-09-16"]
    days = [s.day.isoformat() for s in (await get_course(seeded, ASI)).course.sessions]
    assert days == ["2022-09-14", "2022-09-16", "2022-11-10", "2023-05-04"]


async def test_more_seats_promote_from_the_waitlist(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    for n in range(4):
        await register(seeded, ASI, form(n))
    waiting = [await register(seeded, ASI, form(f"w{n}")) for n in range(3)]

    report = await import_schedule(seeded, with_course(seed_schedule, ASI, seats=6))

    assert report.promoted == 2
    states = [(await get_registration(seeded, w.token)).status for w in waiting]
    assert states == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITLISTED]


async def test_fewer_seats_than_are_held_are_refused_and_nothing_is_written(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seated = [await register(seeded, ASI, form(n)) for n in range(4)]
    changed = with_course(seed_schedule, ASI, seats=2, title="Ändrad titel")

    with pytest.raises(ScheduleError) as refused:
        await import_schedule(seeded, changed)

    assert [str(p) for p in refused.value.problems] == [
        "course[4] (asi-grund-2022).seats: 4 personer har redan plats på kursen, så antalet "
        "platser kan inte bli 2. Välj minst 4, eller avanmäl någon först."
    ]
    assert {(await get_registration(seeded, s.token)).status for s in seated} == {
        RegistrationStatus.CONFIRMED
    }
    listing = await get_course(seeded, ASI)
    assert (listing.course.seats, listing.course.title) == (4, "ASI grundutbildning")


async def test_as_many_seats_as_are_held_leave_none_free(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))
    await register(seeded, ASI, form(2))

    await import_schedule(seeded, with_course(seed_schedule, ASI, seats=2))

    listing = await get_course(seeded, ASI)
    assert (listing.course.seats_left, listing.state.value) == (0, "waitlist")


async def test_a_format_with_registrations_cannot_be_removed_and_nothing_is_written(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await register(seeded, "hap-2022", form(format="ljungby"))
    hap = next(c for c in seed_schedule.course if c.slug == "hap-2022")
    digital_only = [f for f in hap.format if f.key == "digital"]
    changed = with_course(seed_schedule, "hap-2022", format=digital_only)
    changed = with_course(changed, ASI, title="Ändrad titel")

    with pytest.raises(ScheduleError) as refused:
        await import_schedule(seeded, changed)

    assert "ljungby" in str(refused.value)
    assert (await get_course(seeded, ASI)).course.title == "ASI grundutbildning"


async def test_dry_run_reports_but_writes_nothing(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    report = await import_schedule(
        seeded, with_course(seed_schedule, ASI, title="Ny titel"), dry_run=True
    )

    assert report.dry_run
    assert [i.key for i in report.items if i.action is Action.CHANGED] == [ASI]
    assert (await get_course(seeded, ASI)).course.title == "ASI grundutbildning"


async def test_cancelling_a_course_closes_registration(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await import_schedule(seeded, with_course(seed_schedule, ASI, status="cancelled"))

    assert (await get_course(seeded, ASI)).state.value == "cancelled"


async def test_an_unused_format_can_be_removed(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    hap = next(c for c in seed_schedule.course if c.slug == "hap-2022")
    digital_only = [f for f in hap.format if f.key == "digital"]

    report = await import_schedule(
        seeded, with_course(seed_schedule, "hap-2022", format=digital_only)
    )

    assert next(i for i in report.items if i.key == "hap-2022").changes == [
        "format ljungby borttaget"
    ]
    formats = (await get_course(seeded, "hap-2022")).course.formats
    assert [f.key for f in formats] == ["digital"]


async def test_courses_missing_from_the_file_are_left_alone(seeded: ServiceContext) -> None:
    only_employers = parse_schedule(
        '[[employer]]\nkey = "vaxjo"\nname = "Växjö kommun"\n'
        'kind = "municipality"\ndomains = ["vaxjo.se"]\n'
    )

    report = await import_schedule(seeded, only_employers)

    assert [(i.key, i.action) for i in report.items] == [("vaxjo", Action.UNCHANGED)]
    assert await count_rows(seeded, course_table) == 5
    assert await count_rows(seeded, registration_table) == 0


async def test_a_registration_after_an_import_uses_the_new_deadline(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))  # the definition is now cached
    seeded.clock.set(local(2022, 8, 20, 12, 0))  # type: ignore[attr-defined]

    await import_schedule(seeded, with_course(seed_schedule, ASI, deadline=date(2022, 8, 15)))

    with pytest.raises(RegistrationClosed):
        await register(seeded, ASI, form(2))


async def test_a_cached_refusal_is_rechecked_after_the_deadline_is_extended(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seeded.clock.set(local(2022, 9, 5, 12, 0))  # type: ignore[attr-defined]
    with pytest.raises(RegistrationClosed):
        await register(seeded, ASI, form(1))

    await import_schedule(seeded, with_course(seed_schedule, ASI, deadline=date(2022, 9, 10)))

    assert (await register(seeded, ASI, form(1))).status is RegistrationStatus.CONFIRMED


async def test_an_import_by_another_process_is_noticed_in_the_write(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))  # cached in this context
    elsewhere = ServiceContext(db=seeded.db, clock=seeded.clock, settings=seeded.settings)

    await import_schedule(elsewhere, with_course(seed_schedule, ASI, status="cancelled"))

    with pytest.raises(RegistrationClosed):
        await register(seeded, ASI, form(2))


async def test_a_new_cap_counts_those_already_confirmed(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    lvm = "lvm-forelasning-2022"
    for n in range(3):
        await register(seeded, lvm, form(n))

    await import_schedule(seeded, with_course(seed_schedule, lvm, seats=4))

    listing = await get_course(seeded, lvm)
    assert (listing.course.seats_left, listing.state.value) == (1, "open")
    assert (await register(seeded, lvm, form("late"))).status is RegistrationStatus.CONFIRMED
    assert (await register(seeded, lvm, form("later"))).status is RegistrationStatus.WAITLISTED
