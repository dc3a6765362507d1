"""GET /api/admin/stats counts registrations waiting for the manager and lottery applications,
the seats held (confirmed + waiting for the manager), and gives a fair-seat course's cap."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.services.context import ServiceContext
from courses.services.registration.register import register
from tests.api.admin_support import bearer
from tests.approval_support import APPROVAL, add_approval_course, approval_form
from tests.conftest import ASI
from tests.fair_support import FAIR, with_fair_course
from tests.services.lottery_support import SLUG as LOTTERY
from tests.services.lottery_support import add_lottery, apply

Client = AsyncTestClient[Any]


async def test_the_stats_count_pending_applied_and_held_seats(
    api: Client, seeded: ServiceContext
) -> None:
    await add_approval_course(seeded)
    await add_lottery(seeded)
    await register(seeded, APPROVAL, approval_form(1))
    await apply(seeded, 2, "ljungby", "digital")

    stats = (await api.get("/api/admin/stats", headers=await bearer(seeded))).json()

    courses = {c["slug"]: c for c in stats["courses"]}
    approval, lottery = courses[APPROVAL], courses[LOTTERY]
    assert {k: approval[k] for k in ("pending_approval", "applied", "held", "seats_left")} == {
        "pending_approval": 1,
        "applied": 0,
        "held": 1,
        "seats_left": 1,
    }
    assert (lottery["applied"], lottery["held"]) == (1, 0)
    employers = {e["key"]: e for e in stats["employers"]}
    assert (employers["vaxjo"]["pending_approval"], employers["vaxjo"]["held"]) == (1, 1)
    assert employers["ljungby"]["applied"] == 1


async def test_the_stats_give_a_fair_seat_courses_cap(api: Client, seeded: ServiceContext) -> None:
    await with_fair_course(seeded)

    stats = (await api.get("/api/admin/stats", headers=await bearer(seeded))).json()

    courses = {c["slug"]: c for c in stats["courses"]}
    assert (courses[FAIR]["per_employer"], courses[FAIR]["share_until"]) == (1, "2022-08-25")
    assert (courses[ASI]["per_employer"], courses[ASI]["share_until"]) == (None, None)
