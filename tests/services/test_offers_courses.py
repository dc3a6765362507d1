"""Timed offers on courses with more rules: fair seats (`per_employer`), formats with seats
of their own, and the manager's approval; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from courses.domain.rules import RegistrationStatus
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.offers.expiry import lapse_due_offers
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.approval_support import APPROVAL, APPROVAL_COURSE, approval_form
from tests.conftest import form
from tests.fair_support import FAIR, fair_course
from tests.offer_course_support import (
    OFFER,
    at,
    offer_course,
    offer_row,
    seat_counters,
    seats_left,
    with_offers,
)
from tests.services.outbox_rows import mails_since, outbox_mark

S = RegistrationStatus


async def test_an_offer_passes_over_an_employer_at_its_fair_share(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(with_offers(fair_course(seats=2))))
    await register(seeded, FAIR, form(1))
    ljungby = form("lj1", email="person1@ljungby.se", employer="ljungby")
    ljungby_seated = await register(seeded, FAIR, ljungby)
    vaxjo_waiting = await register(seeded, FAIR, form(2))  # first in line, at the share
    ljungby_next = form("lj2", email="person2@ljungby.se", employer="ljungby")
    ljungby_waiting = await register(seeded, FAIR, ljungby_next)

    offered = await cancel_registration(seeded, ljungby_seated.token)

    assert offered == [ljungby_waiting.id]
    assert (await offer_row(seeded, ljungby_waiting.id)).status is S.OFFERED
    assert (await offer_row(seeded, vaxjo_waiting.id)).status is S.WAITLISTED


async def test_a_lapse_offers_the_seat_to_the_same_employer_whose_offer_lapsed(
    seeded: ServiceContext,
) -> None:
    """The lapsed offer no longer counts in its employer's share when the seat is offered on."""
    await import_schedule(seeded, parse_schedule(with_offers(fair_course(seats=2))))
    await register(seeded, FAIR, form(1))
    ljungby = [form(f"lj{n}", email=f"person{n}@ljungby.se", employer="ljungby") for n in (1, 2, 3)]
    ljungby_seated = await register(seeded, FAIR, ljungby[0])
    vaxjo_waiting = await register(seeded, FAIR, form(2))  # at the share
    second, third = [await register(seeded, FAIR, f) for f in ljungby[1:]]
    await cancel_registration(seeded, ljungby_seated.token)
    assert (await offer_row(seeded, second.id)).status is S.OFFERED
    at(seeded, seeded.clock.now() + timedelta(hours=48))

    assert await lapse_due_offers(seeded) == 1

    assert (await offer_row(seeded, third.id)).status is S.OFFERED
    assert (await offer_row(seeded, second.id)).status is S.WAITLISTED
    assert (await offer_row(seeded, vaxjo_waiting.id)).status is S.WAITLISTED
    assert await seats_left(seeded, FAIR) == 0


async def test_a_lapsed_seat_of_a_full_format_goes_to_the_next_waiting_for_that_format(
    seeded: ServiceContext,
) -> None:
    # One seat in each format; the second in line waits for the other, full format.
    toml = offer_course().replace(
        'kind = "digital"\n',
        'kind = "digital"\nseats = 1\n[[course.format]]\nkey = "vaxjo"\nkind = "on_site"\n'
        'place = "Växjö"\nseats = 1\n',
    )
    await import_schedule(seeded, parse_schedule(toml))
    digital = await register(seeded, OFFER, form(1, format="digital"))
    await register(seeded, OFFER, form(2, format="vaxjo"))
    first, other_format, third = [
        await register(seeded, OFFER, form(n, format=key))
        for n, key in ((3, "digital"), (4, "vaxjo"), (5, "digital"))
    ]
    await cancel_registration(seeded, digital.token)
    at(seeded, seeded.clock.now() + timedelta(hours=48))

    assert await lapse_due_offers(seeded) == 1

    assert [(await offer_row(seeded, r.id)).status for r in (first, other_format, third)] == [
        S.WAITLISTED,
        S.WAITLISTED,
        S.OFFERED,
    ]
    assert await seat_counters(seeded) == {"course": 2, "digital": 1, "vaxjo": 1}


async def test_accepting_on_an_approval_course_asks_the_manager(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(with_offers(APPROVAL_COURSE)))
    seated = [await register(seeded, APPROVAL, approval_form(n)) for n in (1, 2)]
    waiting = await register(seeded, APPROVAL, approval_form(3))
    await cancel_registration(seeded, seated[0].token)
    assert (await offer_row(seeded, waiting.id)).status is S.OFFERED
    mark = await outbox_mark(seeded)

    answer = await answer_offer(seeded, waiting.token, accept=True)

    assert answer.status is S.PENDING_APPROVAL
    assert (await offer_row(seeded, waiting.id)).status is S.PENDING_APPROVAL
    kinds = sorted(m.kind for m in await mails_since(seeded, mark))
    assert kinds == ["approval_request", "awaiting_approval"]
    assert await seats_left(seeded, APPROVAL) == 0
