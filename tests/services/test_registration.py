"""Registering and cancelling, against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from courses.domain.errors import (
    AlreadyRegistered,
    CourseFull,
    CourseNotFound,
    InvalidInput,
    NotEligible,
    NotYetOpen,
    RegistrationClosed,
    RegistrationNotFound,
)
from courses.domain.rules import RegistrationStatus
from courses.schedule import parse_schedule
from courses.services.catalogue.listing import get_course
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.conftest import COURSE_WITHOUT_WAITLIST, form, local

ASI = "asi-grund-2022"


async def test_registration_is_confirmed_while_seats_last(seeded: ServiceContext) -> None:
    receipt = await register(seeded, ASI, form(1))

    assert receipt.status is RegistrationStatus.CONFIRMED
    assert receipt.waitlist_position is None
    assert receipt.manage_url == f"http://kurser.test/anmalan/{receipt.token}"
    assert (await get_course(seeded, ASI)).course.seats_left == 3


async def test_fifth_registrant_for_four_seats_is_waitlisted(seeded: ServiceContext) -> None:
    for n in range(4):
        await register(seeded, ASI, form(n))

    fifth = await register(seeded, ASI, form(5))
    sixth = await register(seeded, ASI, form(6))

    assert (fifth.status, fifth.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert (sixth.status, sixth.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)
    assert (await get_course(seeded, ASI)).state.value == "waitlist"


async def test_same_email_in_other_case_is_already_registered(seeded: ServiceContext) -> None:
    await register(seeded, ASI, form(email="Anna.Svensson@vaxjo.se"))

    with pytest.raises(AlreadyRegistered):
        await register(seeded, ASI, form(email="anna.svensson@VAXJO.SE"))


async def test_a_cancelled_person_may_register_again(seeded: ServiceContext) -> None:
    first = await register(seeded, ASI, form(1))
    await cancel_registration(seeded, first.token)

    again = await register(seeded, ASI, form(1))

    assert again.status is RegistrationStatus.CONFIRMED


async def test_cancelling_a_seat_promotes_the_first_in_the_queue(seeded: ServiceContext) -> None:
    seated = [await register(seeded, ASI, form(n)) for n in range(4)]
    first = await register(seeded, ASI, form("first"))
    second = await register(seeded, ASI, form("second"))

    promoted = await cancel_registration(seeded, seated[2].token)

    assert promoted == [first.id]
    assert (await get_registration(seeded, first.token)).status is RegistrationStatus.CONFIRMED
    behind = await get_registration(seeded, second.token)
    assert (behind.status, behind.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert (await get_course(seeded, ASI)).course.seats_left == 0


async def test_cancelling_from_the_waitlist_moves_those_behind_up(seeded: ServiceContext) -> None:
    for n in range(4):
        await register(seeded, ASI, form(n))
    first = await register(seeded, ASI, form("first"))
    second = await register(seeded, ASI, form("second"))

    promoted = await cancel_registration(seeded, first.token)

    assert promoted == []
    assert (await get_registration(seeded, second.token)).waitlist_position == 1


async def test_registration_after_deadline_is_refused(seeded: ServiceContext) -> None:
    seeded.clock.set(local(2022, 9, 2, 0, 0))  # type: ignore[attr-defined]

    with pytest.raises(RegistrationClosed):
        await register(seeded, ASI, form())


async def test_registration_on_the_last_minute_of_the_deadline_day_is_accepted(
    seeded: ServiceContext,
) -> None:
    seeded.clock.set(local(2022, 9, 1, 23, 59, 59))  # type: ignore[attr-defined]

    assert (await register(seeded, ASI, form())).status is RegistrationStatus.CONFIRMED


async def test_unknown_course_is_not_found(seeded: ServiceContext) -> None:
    with pytest.raises(CourseNotFound):
        await register(seeded, "finns-inte", form())


async def test_address_outside_the_employers_domains_is_not_eligible(
    seeded: ServiceContext,
) -> None:
    with pytest.raises(NotEligible):
        await register(seeded, ASI, form(email="someone@gmail.com"))


async def test_unknown_employer_is_not_eligible(seeded: ServiceContext) -> None:
    with pytest.raises(NotEligible):
        await register(seeded, ASI, form(employer="stockholm"))


async def test_subdomain_of_the_employer_is_eligible(seeded: ServiceContext) -> None:
    receipt = await register(
        seeded, ASI, form(email="kim@soc.kronoberg.se", employer="region-kronoberg")
    )

    assert receipt.status is RegistrationStatus.CONFIRMED


async def test_two_formats_need_a_choice(seeded: ServiceContext) -> None:
    with pytest.raises(InvalidInput) as refused:
        await register(seeded, "hap-2022", form())

    assert refused.value.errors[0].field == "format"
    chosen = await register(seeded, "hap-2022", form(format="ljungby"))
    details = await get_registration(seeded, chosen.token)
    assert details.format is not None
    assert details.format.place == "Ljungby"


async def test_cancel_after_the_first_session_began_is_refused(seeded: ServiceContext) -> None:
    receipt = await register(seeded, ASI, form())
    seeded.clock.set(local(2022, 9, 14, 0, 0))  # type: ignore[attr-defined]

    with pytest.raises(RegistrationClosed):
        await cancel_registration(seeded, receipt.token)
    assert not (await get_registration(seeded, receipt.token)).can_cancel


async def test_a_used_token_cannot_cancel_twice(seeded: ServiceContext) -> None:
    receipt = await register(seeded, ASI, form())
    await cancel_registration(seeded, receipt.token)

    with pytest.raises(RegistrationNotFound):
        await cancel_registration(seeded, receipt.token)
    assert (await get_course(seeded, ASI)).course.seats_left == 4


async def test_unknown_token_is_not_found(seeded: ServiceContext) -> None:
    with pytest.raises(RegistrationNotFound):
        await get_registration(seeded, "not-a-token")


async def test_only_the_hash_of_the_token_is_stored(seeded: ServiceContext) -> None:
    receipt = await register(seeded, ASI, form())

    async with seeded.db.read() as conn:
        from sqlalchemy import select

        from courses.storage.tables import registration_table

        stored = (await conn.execute(select(registration_table.c.token_hash))).scalar_one()
    assert receipt.token not in stored
    assert len(stored) == 64


async def test_full_course_without_waitlist_refuses(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(COURSE_WITHOUT_WAITLIST))
    seeded.clock.set(local(2022, 4, 2, 9, 0))  # type: ignore[attr-defined]
    await register(seeded, "litet-seminarium", form(1))

    with pytest.raises(CourseFull):
        await register(seeded, "litet-seminarium", form(2))
    assert (await get_course(seeded, "litet-seminarium")).state.value == "closed"


async def test_registration_before_the_opening_day_is_refused(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(COURSE_WITHOUT_WAITLIST))
    seeded.clock.set(local(2022, 3, 31, 23, 59, 59))  # type: ignore[attr-defined]

    with pytest.raises(NotYetOpen):
        await register(seeded, "litet-seminarium", form())
    assert (await get_course(seeded, "litet-seminarium")).state.value == "not_yet_open"


def course_with_deadline(deadline: str, first_day: str) -> str:
    return f"""
[[course]]
slug = "sommartid"
title = "Kurs kring tidsomställningen"
deadline = {deadline}
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = {first_day}
start = 09:00:00
end = 12:00:00
"""


@pytest.mark.parametrize(
    ("deadline", "first_day", "next_midnight_utc"),
    [
        # The night to 27 March 2022 is an hour shorter: local midnight is still 23:00 UTC.
        ("2022-03-26", "2022-04-01", (2022, 3, 26, 23)),
        # 27 March itself has 23 hours: the next midnight is 22:00 UTC.
        ("2022-03-27", "2022-04-01", (2022, 3, 27, 22)),
        # 30 October has 25 hours: the midnight after it is 23:00 UTC.
        ("2022-10-30", "2022-11-05", (2022, 10, 30, 23)),
    ],
)
async def test_deadline_closes_at_local_midnight_across_daylight_saving_changes(
    seeded: ServiceContext, deadline: str, first_day: str, next_midnight_utc: tuple[int, ...]
) -> None:
    from datetime import UTC, datetime, timedelta

    await import_schedule(seeded, parse_schedule(course_with_deadline(deadline, first_day)))
    closes = datetime(*next_midnight_utc, tzinfo=UTC)  # type: ignore[misc]

    seeded.clock.set(closes - timedelta(seconds=1))  # type: ignore[attr-defined]
    accepted = await register(seeded, "sommartid", form(1))
    seeded.clock.set(closes)  # type: ignore[attr-defined]

    assert accepted.status is RegistrationStatus.CONFIRMED
    with pytest.raises(RegistrationClosed):
        await register(seeded, "sommartid", form(2))
