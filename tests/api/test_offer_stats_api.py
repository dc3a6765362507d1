"""GET /api/admin/stats and /admin's statistics give offered and transferred their own counts;
an offered seat is held."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from tests.api.admin_support import bearer
from tests.conftest import ASI
from tests.services.offer_support import colleague, offering_asi

Client = AsyncTestClient[Any]


async def test_the_stats_count_offered_and_transferred(api: Client, seeded: ServiceContext) -> None:
    seated, _ = await offering_asi(seeded, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    await transfer_registration(seeded, seated[1].token, colleague())

    stats = (await api.get("/api/admin/stats", headers=await bearer(seeded))).json()

    asi = next(c for c in stats["courses"] if c["slug"] == ASI)
    wanted = ("offered", "transferred", "cancelled", "held", "seats_left")
    assert {k: asi[k] for k in wanted} == {
        "offered": 1,
        "transferred": 1,
        "cancelled": 1,
        "held": 4,
        "seats_left": 0,
    }
    vaxjo = next(e for e in stats["employers"] if e["key"] == "vaxjo")
    assert (vaxjo["offered"], vaxjo["transferred"]) == (1, 1)
