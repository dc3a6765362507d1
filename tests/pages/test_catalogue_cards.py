"""The catalogue's cards: built once per loaded catalogue, states at most a second old."""

from __future__ import annotations

from datetime import timedelta

from courses.api.pages.public.catalogue_cards import CatalogueCards, Entry
from courses.api.pages.templating import template_config
from courses.services.catalogue.cache import CatalogueCache
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from tests.conftest import ASI, form, local


async def test_states_follow_the_clock_within_a_second_and_seats_at_once(
    seeded: ServiceContext,
) -> None:
    env = template_config(seeded.settings).engine_instance.engine
    cache, cards = CatalogueCache(), CatalogueCards()
    tz = seeded.tz

    def states(entries: list[Entry]) -> dict[str, str]:
        return {e.card.slug: e.state.label for e in entries}

    before = local(2022, 3, 20, 23, 59, 59)  # the last second of LVM's deadline day
    first = cards.entries(await cache.courses(seeded), env=env, now=before, tz=tz)
    within = cards.entries(
        await cache.courses(seeded), env=env, now=before + timedelta(seconds=0.5), tz=tz
    )
    after = cards.entries(
        await cache.courses(seeded), env=env, now=before + timedelta(seconds=1), tz=tz
    )
    await register(seeded, ASI, form(1))
    seat_taken = cards.entries(
        await cache.courses(seeded), env=env, now=before + timedelta(seconds=1.2), tz=tz
    )

    assert states(first)["lvm-forelasning-2022"] == "Öppen för anmälan"
    assert within is first
    assert states(after)["lvm-forelasning-2022"] == "Anmälan stängd"
    assert states(after)[ASI] == "4 platser kvar"
    assert states(seat_taken)[ASI] == "3 platser kvar"
