"""GET /api/admin/stats carries a drawn lottery's draw."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw
from tests.api.admin_support import bearer
from tests.services.lottery_support import SLUG, add_lottery, apply_many

Client = AsyncTestClient[Any]


async def test_the_stats_give_the_draw_of_a_drawn_lottery(
    api: Client, seeded: ServiceContext
) -> None:
    await add_lottery(seeded)
    await apply_many(seeded, 5)
    headers = await bearer(seeded)

    before = (await api.get("/api/admin/stats", headers=headers)).json()
    await draw(seeded, SLUG, actor=Actor.command_line(), seed=2**53 - 1)
    after = (await api.get("/api/admin/stats", headers=headers)).json()

    assert next(c for c in before["courses"] if c["slug"] == SLUG)["draw"] is None
    found = next(c for c in after["courses"] if c["slug"] == SLUG)["draw"]
    assert found == {
        "drawn_at": "2022-03-01T09:00:00Z",
        "seed": 2**53 - 1,
        "applications": 5,
        "seated": 3,
        "waitlisted": 2,
    }
