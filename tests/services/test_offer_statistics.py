"""The statistics count offers and transfers (SQLite and PostgreSQL): a seat offered from the
waitlist is held (not free, and the employer's), with a column of its own; a registration
handed on to a colleague has its own column and is not counted as cancelled."""

from __future__ import annotations

from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from courses.services.statistics import Statistics, statistics
from tests.conftest import ASI
from tests.services.admin_support import admin_of
from tests.services.offer_support import colleague, offering_asi


async def test_an_offered_seat_is_held_and_counted_on_its_own(seeded: ServiceContext) -> None:
    seated, _ = await offering_asi(seeded, waiting=2)
    await cancel_registration(seeded, seated[0].token)

    stats = await statistics(seeded, await admin_of(seeded))

    asi = next(c for c in stats.courses if c.slug == ASI)
    assert (asi.confirmed, asi.offered, asi.waitlisted, asi.cancelled) == (3, 1, 1, 1)
    assert asi.held == 4
    assert Statistics.seats_left(asi) == 0
    vaxjo = next(e for e in stats.employers if e.key == "vaxjo")
    assert (vaxjo.offered, vaxjo.held) == (1, 4)


async def test_a_seat_handed_on_is_counted_as_transferred_not_cancelled(
    seeded: ServiceContext,
) -> None:
    seated, _ = await offering_asi(seeded, waiting=0)
    await transfer_registration(seeded, seated[0].token, colleague())

    stats = await statistics(seeded, await admin_of(seeded))

    asi = next(c for c in stats.courses if c.slug == ASI)
    assert (asi.registered, asi.confirmed, asi.transferred, asi.cancelled) == (5, 4, 1, 0)
    assert Statistics.seats_left(asi) == 0
