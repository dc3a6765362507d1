"""POST /api/registrations/{token}/offer, and the offer as GET /api/registrations/{token} shows
it: a held offer, an open one (the last window), one that lapsed and one that went to someone
else; a late answer is a 409 that says where the registrant stands now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate
from tests.api.support import problem_type
from tests.api.test_rate_limits import limited
from tests.offer_support import OfferCourse, add_offer_course

Client = AsyncTestClient[Any]


@pytest.fixture
async def course(seeded: ServiceContext, clock: FixedClock) -> OfferCourse:
    return await add_offer_course(seeded, clock)


async def _mine(api: Client, token: str) -> dict[str, Any]:
    response = await api.get(f"/api/registrations/{token}")
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_a_held_offer_shows_until_when_and_accepting_gives_the_seat(
    api: Client, course: OfferCourse, clock: FixedClock
) -> None:
    _, (waiting,) = await course.held()

    before = await _mine(api, waiting)
    answered = await api.post(f"/api/registrations/{waiting}/offer", json={"accept": True})

    assert before["status"] == "offered"
    assert before["offer"] == {
        "due_at": (clock.now() + timedelta(hours=48)).isoformat(),
        "open": False,
        "outcome": None,
    }
    assert answered.status_code == 200
    assert answered.json()["status"] == "confirmed"
    assert answered.json()["offer"]["outcome"] == "accepted"
    assert answered.json() == await _mine(api, waiting)


async def test_declining_leaves_the_waitlist_and_offers_the_seat_to_the_next(
    api: Client, course: OfferCourse
) -> None:
    _, (first, second) = await course.held(waiting=2)

    answered = await api.post(f"/api/registrations/{first}/offer", json={"accept": False})

    assert answered.status_code == 200
    assert (answered.json()["status"], answered.json()["offer"]["outcome"]) == (
        "cancelled",
        "declined",
    )
    assert (await _mine(api, second))["status"] == "offered"


async def test_an_open_offer_goes_to_the_first_to_accept_the_other_hears_it_went(
    api: Client, course: OfferCourse
) -> None:
    first, second = await course.opened()
    told = await _mine(api, second)

    won = await api.post(f"/api/registrations/{first}/offer", json={"accept": True})
    lost = await api.post(f"/api/registrations/{second}/offer", json={"accept": True})

    assert (told["status"], told["offer"]["open"], told["offer"]["outcome"]) == (
        "waitlisted",
        True,
        None,
    )
    assert told["offer"]["due_at"] == course.starts_at.isoformat()
    assert won.status_code == 200
    assert won.json()["status"] == "confirmed"
    assert lost.status_code == 409
    assert problem_type(lost) == "offer-taken"
    assert lost.json()["waitlist_position"] == 1
    assert "någon som hann svara före dig" in lost.json()["detail"]
    assert "plats 1" in lost.json()["detail"]
    after = await _mine(api, second)
    assert (after["status"], after["offer"]["outcome"]) == ("waitlisted", "gone")


async def test_accepting_a_lapsed_offer_is_refused_with_the_place_in_the_queue(
    api: Client, course: OfferCourse
) -> None:
    first, second = await course.lapsed()

    late = await api.post(f"/api/registrations/{first}/offer", json={"accept": True})

    assert late.status_code == 409
    assert problem_type(late) == "offer-closed"
    assert late.json()["waitlist_position"] == 1  # last in line, behind nobody: the next holds it
    assert "Tiden för att svara" in late.json()["detail"]
    mine = await _mine(api, first)
    assert (mine["status"], mine["waitlist_position"]) == ("waitlisted", 1)
    assert mine["offer"]["outcome"] == "lapsed"
    assert (await _mine(api, second))["status"] == "offered"


async def test_answering_twice_is_a_conflict_and_changes_nothing(
    api: Client, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()
    await api.post(f"/api/registrations/{waiting}/offer", json={"accept": True})

    again = await api.post(f"/api/registrations/{waiting}/offer", json={"accept": False})

    assert again.status_code == 409
    assert problem_type(again) == "offer-closed"
    assert again.json()["waitlist_position"] is None
    assert (await _mine(api, waiting))["status"] == "confirmed"


async def test_a_registration_never_offered_a_seat_has_no_offer_to_answer(
    api: Client, course: OfferCourse
) -> None:
    token = await course.register(1)

    mine = await _mine(api, token)
    answered = await api.post(f"/api/registrations/{token}/offer", json={"accept": True})

    assert mine["offer"] is None
    assert answered.status_code == 409
    assert problem_type(answered) == "offer-closed"


async def test_an_unknown_link_is_not_found(api: Client, course: OfferCourse) -> None:
    response = await api.post("/api/registrations/nope/offer", json={"accept": True})

    assert response.status_code == 404
    assert problem_type(response) == "course-not-found"


@pytest.mark.parametrize(
    "body", [{}, {"accept": "kanske"}, {"accept": "true"}, {"accept": True, "extra": 1}]
)
async def test_an_answer_must_say_yes_or_no(
    api: Client, course: OfferCourse, body: dict[str, Any]
) -> None:
    _, (waiting,) = await course.held()

    response = await api.post(f"/api/registrations/{waiting}/offer", json=body)

    assert response.status_code == 400
    assert problem_type(response) == "validation-error"
    assert (await _mine(api, waiting))["status"] == "offered"


async def test_answers_are_rate_limited_per_link(
    seeded: ServiceContext, clock: FixedClock, course: OfferCourse
) -> None:
    _, (waiting,) = await course.held()
    async with limited(seeded, clock, token_rate=Rate(2, 60)) as client:
        statuses = [
            (
                await client.post(f"/api/registrations/{waiting}/offer", json={"accept": True})
            ).status_code
            for _ in range(3)
        ]

    assert statuses == [200, 409, 429]
