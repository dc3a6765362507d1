"""Fair seats (`per_employer`): the share holds, why someone waits, promotion that respects
the share, and the share's end, against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from courses.domain.rules import RegistrationStatus
from courses.schedule import ScheduleError, parse_schedule
from courses.services.context import ServiceContext
from courses.services.housekeeping import housekeeping
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.course_edits import CourseEdit, change_course
from courses.services.schedule.importing import import_schedule
from courses.services.seats.share_release import release_ended_shares
from courses.services.statistics import statistics
from courses.storage.tables import course_table, registration_table
from tests.conftest import form, local
from tests.fair_support import FAIR, fair_course, with_fair_course
from tests.services.admin_support import admin_of
from tests.services.outbox_rows import mails_since, outbox_mark


def ljungby(n: int) -> object:
    return form(f"lj{n}", email=f"person{n}@ljungby.se", employer="ljungby")


async def status_of(ctx: ServiceContext, receipt: RegistrationReceipt) -> RegistrationStatus:
    return (await get_registration(ctx, receipt.token)).status


async def test_the_share_holds_and_the_next_of_that_employer_waits_with_the_reason(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded)
    mark = await outbox_mark(seeded)

    first = await register(seeded, FAIR, form(1))
    second = await register(seeded, FAIR, form(2))
    other = await register(seeded, FAIR, ljungby(1))  # type: ignore[arg-type]

    assert first.status is RegistrationStatus.CONFIRMED
    assert (second.status, second.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert other.status is RegistrationStatus.CONFIRMED  # seats were free for another employer
    waitlisted = await mails_since(seeded, mark, kind="waitlisted")
    assert [(m.registration_id, m.payload.get("per_employer")) for m in waitlisted] == [
        (second.id, 1)
    ]
    assert waitlisted[0].payload["share_until"] == "2022-08-25"


async def test_a_full_course_waitlists_without_the_share_reason(seeded: ServiceContext) -> None:
    await with_fair_course(seeded, seats=1)
    await register(seeded, FAIR, form(1))
    mark = await outbox_mark(seeded)

    other = await register(seeded, FAIR, ljungby(1))  # type: ignore[arg-type]

    assert other.status is RegistrationStatus.WAITLISTED
    (mail,) = await mails_since(seeded, mark, kind="waitlisted")
    assert "per_employer" not in mail.payload


async def test_an_uncapped_course_still_holds_the_share(seeded: ServiceContext) -> None:
    await with_fair_course(seeded, seats=None, per_employer=2)

    receipts = [await register(seeded, FAIR, form(n)) for n in range(3)]

    assert [r.status for r in receipts] == [RegistrationStatus.CONFIRMED] * 2 + [
        RegistrationStatus.WAITLISTED
    ]


async def test_promotion_skips_an_employer_at_its_share(seeded: ServiceContext) -> None:
    await with_fair_course(seeded, seats=2)
    vaxjo_seated = await register(seeded, FAIR, form(1))
    ljungby_seated = await register(seeded, FAIR, ljungby(1))  # type: ignore[arg-type]
    vaxjo_waiting = await register(seeded, FAIR, form(2))  # waits for the share
    ljungby_waiting = await register(seeded, FAIR, ljungby(2))  # type: ignore[arg-type]
    mark = await outbox_mark(seeded)

    promoted = await cancel_registration(seeded, ljungby_seated.token)

    # Växjö still holds its one seat: the first in line is passed over, Ljungby's next is not.
    assert promoted == [ljungby_waiting.id]
    assert await status_of(seeded, vaxjo_waiting) is RegistrationStatus.WAITLISTED
    assert [m.registration_id for m in await mails_since(seeded, mark, kind="promoted")] == [
        ljungby_waiting.id
    ]
    assert await status_of(seeded, vaxjo_seated) is RegistrationStatus.CONFIRMED


async def test_the_share_ends_and_the_worker_promotes_in_queue_order_with_mails(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded, seats=3)
    await register(seeded, FAIR, form(1))
    waiting = [await register(seeded, FAIR, form(n)) for n in range(2, 5)]
    seeded.clock.set(local(2022, 8, 25, 23, 59, 59))  # type: ignore[attr-defined]
    assert await release_ended_shares(seeded) == 0  # the share lasts the whole day
    seeded.clock.set(local(2022, 8, 26, 0, 0))  # type: ignore[attr-defined]
    mark = await outbox_mark(seeded)

    await housekeeping(seeded)

    assert [await status_of(seeded, r) for r in waiting] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    promoted = await mails_since(seeded, mark, kind="promoted")
    assert sorted({m.registration_id for m in promoted}) == [waiting[0].id, waiting[1].id]
    assert all(m.method == "REQUEST" for m in promoted)  # each with its invite
    assert await release_ended_shares(seeded) == 0  # done once


async def test_after_the_share_a_registration_is_first_come_first_served(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded)
    await register(seeded, FAIR, form(1))
    seeded.clock.set(local(2022, 8, 26, 8, 0))  # type: ignore[attr-defined]

    late = await register(seeded, FAIR, form(2))

    assert late.status is RegistrationStatus.CONFIRMED


async def test_an_import_that_ends_the_share_releases_the_seats_at_once(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded)
    await register(seeded, FAIR, form(1))
    waiting = await register(seeded, FAIR, form(2))
    mark = await outbox_mark(seeded)

    report = await import_schedule(seeded, parse_schedule(fair_course(per_employer=None)))

    assert report.promoted == 1
    assert await status_of(seeded, waiting) is RegistrationStatus.CONFIRMED
    assert [m.registration_id for m in await mails_since(seeded, mark, kind="promoted")] == [
        waiting.id
    ]


async def test_an_import_that_raises_the_share_promotes_up_to_it(seeded: ServiceContext) -> None:
    await with_fair_course(seeded, seats=4)
    await register(seeded, FAIR, form(1))
    waiting = [await register(seeded, FAIR, form(n)) for n in range(2, 5)]

    report = await import_schedule(seeded, parse_schedule(fair_course(seats=4, per_employer=2)))

    assert report.promoted == 1
    assert [await status_of(seeded, r) for r in waiting] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]


async def test_an_admin_change_of_the_share_releases_the_seats_at_once(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded)
    await register(seeded, FAIR, form(1))
    waiting = await register(seeded, FAIR, form(2))
    admin = await admin_of(seeded)
    seeded.clock.set(local(2022, 8, 10, 9, 0))  # type: ignore[attr-defined]

    update = await change_course(seeded, admin, FAIR, CourseEdit(share_until=date(2022, 8, 9)))

    assert update.promoted == [waiting.id]
    assert any("fördelning per arbetsgivare" in line for line in update.changes)
    assert await status_of(seeded, waiting) is RegistrationStatus.CONFIRMED


async def test_the_cap_change_service_promotes_within_the_share(seeded: ServiceContext) -> None:
    await with_fair_course(seeded, seats=1)
    await register(seeded, FAIR, form(1))
    same_employer = await register(seeded, FAIR, form(2))
    other = await register(seeded, FAIR, ljungby(1))  # type: ignore[arg-type]
    admin = await admin_of(seeded)

    update = await change_course(seeded, admin, FAIR, CourseEdit(seats=3))

    assert update.promoted == [other.id]
    assert await status_of(seeded, same_employer) is RegistrationStatus.WAITLISTED


@pytest.mark.parametrize(
    ("snippet", "place"),
    [
        ("per_employer = 0", "per_employer"),
        ('per_employer = "ett"', "per_employer"),
        ("per_employer = 1\nshare_until = 2022-09-02", "share_until"),
        ("share_until = 2022-08-01", "share_until"),
    ],
)
def test_the_schedule_file_refuses_a_bad_share_in_swedish(snippet: str, place: str) -> None:
    text = fair_course(per_employer=None).replace(
        "deadline = 2022-09-01", f"deadline = 2022-09-01\n{snippet}"
    )
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(text)
    problems = raised.value.problems
    assert any(place in p.place for p in problems), problems
    assert all(p.message and p.message[0].isupper() for p in problems)


async def test_the_statistics_count_each_employers_seats_under_the_share(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded)
    await register(seeded, FAIR, form(1))
    await register(seeded, FAIR, form(2))
    await register(seeded, FAIR, ljungby(1))  # type: ignore[arg-type]

    stats = await statistics(seeded, await admin_of(seeded))

    by_key = {e.key: e for e in stats.employers}
    assert (by_key["vaxjo"].confirmed, by_key["vaxjo"].waitlisted) == (1, 1)
    assert (by_key["ljungby"].confirmed, by_key["ljungby"].waitlisted) == (1, 0)
    (course,) = [c for c in stats.courses if c.slug == FAIR]
    assert (course.confirmed, stats.seats_left(course)) == (2, 1)


async def test_a_registration_awaiting_approval_counts_against_the_share(
    seeded: ServiceContext,
) -> None:
    await with_fair_course(seeded)
    first = await register(seeded, FAIR, form(1))
    async with seeded.db.write() as conn:
        await conn.execute(
            update(registration_table)
            .where(registration_table.c.id == first.id)
            .values(status=RegistrationStatus.PENDING_APPROVAL.value)
        )

    second = await register(seeded, FAIR, form(2))

    assert second.status is RegistrationStatus.WAITLISTED


async def test_a_full_format_gives_the_course_seat_back_under_the_share(
    seeded: ServiceContext,
) -> None:
    text = fair_course(seats=3).replace('kind = "digital"', 'kind = "digital"\nseats = 1')
    await import_schedule(seeded, parse_schedule(text))
    await register(seeded, FAIR, form(1))

    other = await register(seeded, FAIR, ljungby(1))  # type: ignore[arg-type]

    assert (other.status, other.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    async with seeded.db.read() as conn:
        counted = (
            await conn.execute(
                select(course_table.c.confirmed_count).where(course_table.c.slug == FAIR)
            )
        ).scalar_one()
    assert counted == 1


async def test_a_course_without_a_waitlist_still_queues_for_the_share(
    seeded: ServiceContext,
) -> None:
    text = fair_course(seats=3).replace("seats = 3", "seats = 3\nwaitlist = false")
    await import_schedule(seeded, parse_schedule(text))
    await register(seeded, FAIR, form(1))

    second = await register(seeded, FAIR, form(2))

    # Not refused as full: a seat is free, and it may be theirs when the share ends.
    assert (second.status, second.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
