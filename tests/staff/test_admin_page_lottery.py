"""/admin and the statistics show a drawn lottery: when, the seed, and how the seats went."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw
from courses.services.statistics import statistics
from tests.services.lottery_support import SLUG, add_lottery, apply_many
from tests.staff.test_admin_page_office import _signed_in_admin

Client = AsyncTestClient[Any]


async def test_the_statistics_hold_the_draw_of_a_drawn_course(seeded: ServiceContext) -> None:
    await add_lottery(seeded)
    await apply_many(seeded, 7)
    assert SLUG not in (await statistics(seeded, Actor.command_line())).draws
    await draw(seeded, SLUG, actor=Actor.command_line(), seed=1234)
    found = (await statistics(seeded, Actor.command_line())).draws[SLUG]
    assert (found.seed, found.applications, found.seated, found.waitlisted) == (1234, 7, 3, 4)
    assert found.drawn_at == seeded.clock.now()


async def test_the_admin_page_lists_the_draws(api: Client, seeded: ServiceContext) -> None:
    await add_lottery(seeded)
    await apply_many(seeded, 5)
    await _signed_in_admin(api, seeded)
    assert "Lottningar" not in (await api.get("/admin")).text
    await draw(seeded, SLUG, actor=Actor.command_line(), seed=987654321)
    page = (await api.get("/admin")).text
    assert "Lottningar" in page
    assert "987654321" in page
    assert "1 mars 2022 kl. 10.00" in page
