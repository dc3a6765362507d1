"""Rate limits: tight per person and per token, generous per address (a municipality may come
through one), answered 429 in Swedish with Retry-After; each app has its own counts."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import pytest
from limits import RateLimitItemPerSecond
from limits.strategies import MovingWindowRateLimiter
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.api.http.ratelimit import _SweepingMemoryStorage
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate, Settings, SettingsError, parse_rate
from tests.api.support import problem_type, token_of
from tests.conftest import registrant as body

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"
LVM = "/api/courses/lvm-forelasning-2022/registrations"
OFF: dict[str, Any] = {
    "registration_rate": None,
    "client_registration_rate": None,
    "token_rate": None,
    "unknown_token_rate": None,
}


@asynccontextmanager
async def limited(ctx: ServiceContext, clock: FixedClock, **rates: Rate) -> AsyncIterator[Client]:
    """The app with only the given limits on, through the test client."""
    settings = replace(ctx.settings, **{**OFF, **rates})
    async with AsyncTestClient(create_app(settings, clock=clock)) as client:
        yield client


def assert_too_many(response: Any) -> None:
    assert response.status_code == 429
    assert problem_type(response) == "too-many-requests"
    assert "Försök igen om" in response.json()["detail"]
    assert 1 <= int(response.headers["retry-after"]) <= 600


async def test_one_mailbox_gets_a_few_tries_per_course_whatever_its_tag(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with limited(seeded, clock, registration_rate=Rate(3, 600)) as api:
        tries = [await api.post(ASI, json=body(n, email=f"kim+{n}@vaxjo.se")) for n in range(3)]
        fourth = await api.post(ASI, json=body(9, email="KIM@vaxjo.se"))
        other_course = await api.post(LVM, json=body(9, email="kim@vaxjo.se"))
        other_person = await api.post(ASI, json=body(9, email="anna@vaxjo.se"))

    assert [r.status_code for r in tries] == [201, 409, 409]
    assert_too_many(fourth)
    assert other_course.status_code == 201
    assert other_person.status_code == 201


async def test_many_people_behind_one_address_meet_only_the_generous_ceiling(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with limited(
        seeded, clock, registration_rate=Rate(1, 600), client_registration_rate=Rate(8, 600)
    ) as api:
        people = [await api.post(LVM, json=body(n)) for n in range(8)]
        ninth = await api.post(LVM, json=body(8))

    assert [r.status_code for r in people] == [201] * 8
    assert_too_many(ninth)


async def test_guessing_tokens_gets_the_guesses_refused_but_never_a_valid_link(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    """One person guessing behind a municipality's shared address must not lock everyone
    there out of their own links: past the limit only unknown links answer 429."""
    async with limited(seeded, clock, unknown_token_rate=Rate(3, 600)) as api:
        token = token_of((await api.post(ASI, json=body())).json())
        guesses = [await api.get(f"/api/registrations/gissning{n}") for n in range(5)]
        after = await api.get(f"/api/registrations/{token}")
        invite = await api.get(f"/api/registrations/{token}/invite.ics")
        page = await api.get(f"/anmalan/{token}")
        cancel = await api.delete(f"/api/registrations/{token}")
        guess_page = await api.get("/anmalan/gissning-sida")

    assert [r.status_code for r in guesses[:3]] == [404] * 3
    for refused in guesses[3:]:
        assert_too_many(refused)
    assert [after.status_code, invite.status_code, page.status_code] == [200, 200, 200]
    assert cancel.status_code in (200, 204)
    assert guess_page.status_code == 429


async def test_known_tokens_do_not_count_as_guesses(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with limited(seeded, clock, unknown_token_rate=Rate(2, 600)) as api:
        token = token_of((await api.post(ASI, json=body())).json())
        looks = [await api.get(f"/api/registrations/{token}") for _ in range(5)]
        guess = await api.get("/api/registrations/gissning")

    assert [r.status_code for r in looks] == [200] * 5
    assert guess.status_code == 404


async def test_one_token_is_limited_however_it_is_used(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with limited(seeded, clock, token_rate=Rate(3, 600)) as api:
        first = token_of((await api.post(ASI, json=body(1))).json())
        second = token_of((await api.post(ASI, json=body(2))).json())
        uses = [
            await api.get(f"/api/registrations/{first}"),
            await api.get(f"/api/registrations/{first}/invite.ics"),
            await api.get(f"/api/registrations/{first}"),
        ]
        fourth = await api.delete(f"/api/registrations/{first}")
        other = await api.get(f"/api/registrations/{second}")

    assert [r.status_code for r in uses] == [200, 200, 200]
    assert_too_many(fourth)
    assert other.status_code == 200


async def test_each_app_counts_for_itself(seeded: ServiceContext, clock: FixedClock) -> None:
    settings = replace(seeded.settings, **{**OFF, "registration_rate": Rate(1, 600)})
    codes = []
    for _ in range(2):
        async with AsyncTestClient(create_app(settings, clock=clock)) as api:
            codes.append((await api.post(LVM, json=body(email="kim@vaxjo.se"))).status_code)

    assert codes == [201, 409]


async def test_the_default_limits_let_a_person_register_and_look(api: Client) -> None:
    created = await api.post(ASI, json=body())
    again = [await api.post(ASI, json=body()) for _ in range(4)]
    looks = [await api.get(f"/api/registrations/{token_of(created.json())}") for _ in range(10)]

    assert created.status_code == 201
    assert {r.status_code for r in again} == {409}
    assert {r.status_code for r in looks} == {200}


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("5/10min", Rate(5, 600)),
        ("5 per 10 minutes", Rate(5, 600)),
        ("60/hour", Rate(60, 3600)),
        ("1000/10m", Rate(1000, 600)),
        ("3/s", Rate(3, 1)),
        ("2/day", Rate(2, 86400)),
        ("off", None),
        ("0/minute", None),
    ],
)
def test_rate_settings_are_read_as_people_write_them(text: str, rate: Rate | None) -> None:
    assert parse_rate("RATE_LIMIT_TOKEN", text) == rate


@pytest.mark.parametrize("text", ["five/min", "5", "5/fortnight", "5/0s", "-1/min"])
def test_a_rate_setting_that_cannot_be_read_stops_the_start(text: str) -> None:
    with pytest.raises(SettingsError, match="COURSES_RATE_LIMIT_TOKEN"):
        Settings.from_env({"COURSES_RATE_LIMIT_TOKEN": text})


def test_the_sign_in_limits_default_to_five_per_address_in_15_minutes_and_can_be_set() -> None:
    defaults = Settings.from_env({})
    changed = Settings.from_env(
        {"COURSES_RATE_LIMIT_SIGN_IN": "3/hour", "COURSES_RATE_LIMIT_SIGN_IN_CLIENT": "off"}
    )

    assert (defaults.sign_in_rate, defaults.client_sign_in_rate) == (Rate(5, 900), Rate(50, 900))
    assert (changed.sign_in_rate, changed.client_sign_in_rate) == (Rate(3, 3600), None)


def test_the_memory_sweep_drops_the_keys_whose_windows_all_expired() -> None:
    """One key per person and course: kept forever, a long-running service grows with every
    registration it ever answered."""
    storage = _SweepingMemoryStorage()
    limiter = MovingWindowRateLimiter(storage)
    window = RateLimitItemPerSecond(5, 600)
    for n in range(3):
        limiter.hit(window, "registration", "asi-grund-2022", f"mailbox-{n}")
    started = time.time()

    storage.sweep(now=started + 300)
    still_counted = len(storage.events)
    storage.sweep(now=started + 601)

    assert still_counted == 3
    assert storage.events == {}
    assert not storage.locks
    assert limiter.hit(window, "registration", "asi-grund-2022", "mailbox-0")
