"""Behind a reverse proxy: the client and the scheme come from `X-Forwarded-For` and
`X-Forwarded-Proto` only when the direct peer is one of `COURSES_TRUSTED_PROXIES`.

The app is driven over ASGI with a chosen peer address (httpx's ASGI transport) inside its
lifespan; the real nginx in front of `courses serve` is in tests/deploy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest

from courses.api import create_app
from courses.api.http.proxies import forwarded_client, networks
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate, Settings, SettingsError, parse_trusted_proxies
from tests.api.test_rate_limits import OFF, assert_too_many
from tests.conftest import registrant as body

PROXY = "127.0.0.1"
OUTSIDER = "198.51.100.20"
LVM = "/api/courses/lvm-forelasning-2022/registrations"
Peer = Callable[[str], httpx.AsyncClient]


@asynccontextmanager
async def behind_proxy(
    ctx: ServiceContext, clock: FixedClock, **changes: Any
) -> AsyncIterator[Peer]:
    """The app trusting 127.0.0.1 and 10.0.0.0/8; `peer(address)` is a client connecting from
    `address`."""
    settings = replace(
        ctx.settings,
        **{**OFF, "trusted_proxies": parse_trusted_proxies("127.0.0.1, 10.0.0.0/8"), **changes},
    )
    app = create_app(settings, clock=clock)
    clients: list[httpx.AsyncClient] = []

    def peer(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        client = httpx.AsyncClient(transport=transport, base_url="http://kurser.test")
        clients.append(client)
        return client

    async with app.lifespan():  # database and state, on this test's event loop
        try:
            yield peer
        finally:
            for client in clients:
                await client.aclose()


def test_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy() -> None:
    ours = networks(parse_trusted_proxies("127.0.0.1 10.0.0.0/8 fd00::/8"))

    assert forwarded_client("203.0.113.7", ours) == "203.0.113.7"
    # What the client wrote itself stands left of what our proxies appended.
    assert forwarded_client("1.2.3.4, 203.0.113.7", ours) == "203.0.113.7"
    assert forwarded_client("1.2.3.4, 203.0.113.7, 10.1.2.3", ours) == "203.0.113.7"
    assert forwarded_client("[2001:db8::5]:443, fd00::1", ours) == "2001:db8::5"
    assert forwarded_client("203.0.113.7:51234", ours) == "203.0.113.7"
    assert forwarded_client("::ffff:203.0.113.7", ours) == "203.0.113.7"
    assert forwarded_client("10.0.0.9, 127.0.0.1", ours) == "10.0.0.9"  # only ours: the first
    assert forwarded_client("unknown, 10.0.0.9", ours) == "10.0.0.9"
    assert forwarded_client("203.0.113.7, skräp", ours) is None
    assert forwarded_client("", ours) is None


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.example", "127.0.0.1;10.0.0.1", "::g"])
def test_a_malformed_proxy_list_names_the_setting(value: str) -> None:
    with pytest.raises(SettingsError, match="COURSES_TRUSTED_PROXIES") as refused:
        Settings.from_env({"COURSES_TRUSTED_PROXIES": value})

    assert "varken en IP-adress eller ett nät" in str(refused.value)


def test_the_proxy_list_takes_addresses_and_networks_of_both_kinds() -> None:
    settings = Settings.from_env({"COURSES_TRUSTED_PROXIES": " 127.0.0.1,10.0.0.0/8  ::1 "})

    assert settings.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")
    assert Settings.from_env({}).trusted_proxies == ()


async def test_through_a_trusted_proxy_each_client_is_counted_for_itself(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with behind_proxy(seeded, clock, client_registration_rate=Rate(2, 600)) as peer:
        proxy = peer(PROXY)

        def post(n: int, client: str) -> Any:
            return proxy.post(LVM, json=body(n), headers={"X-Forwarded-For": client})

        first = [(await post(n, "203.0.113.1")).status_code for n in range(3)]
        second = [(await post(n, "203.0.113.2")).status_code for n in range(3, 5)]

    assert first == [201, 201, 429]
    assert second == [201, 201]


async def test_an_untrusted_peer_cannot_pick_its_address_to_walk_past_the_limit(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    """Tried by an outside probe: 60 look-ups of unknown links, each naming another address,
    were never limited while uvicorn trusted the header from anyone on the host."""
    async with behind_proxy(seeded, clock, unknown_token_rate=Rate(5, 600)) as peer:
        outsider = peer(OUTSIDER)
        answers = [
            await outsider.get(
                f"/api/registrations/gissning{n}", headers={"X-Forwarded-For": f"192.0.2.{n}"}
            )
            for n in range(8)
        ]

    assert [r.status_code for r in answers[:5]] == [404] * 5
    for refused in answers[5:]:
        assert_too_many(refused)


async def test_https_at_a_trusted_proxy_makes_cookies_secure_and_sends_hsts(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.1"}
    async with behind_proxy(seeded, clock) as peer:
        proxied = await peer(PROXY).get("/logga-in", headers=https)
        forged = await peer(OUTSIDER).get("/logga-in", headers=https)
        plain = await peer(PROXY).get("/logga-in", headers={"X-Forwarded-Proto": "http"})

    assert proxied.headers["strict-transport-security"] == "max-age=31536000"
    cookies = proxied.headers.get_list("set-cookie")
    assert cookies
    assert all("; Secure" in cookie for cookie in cookies)
    for insecure in (forged, plain):
        assert "strict-transport-security" not in insecure.headers
        assert not any("Secure" in c for c in insecure.headers.get_list("set-cookie"))


async def test_without_trusted_proxies_the_headers_are_ignored(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with behind_proxy(
        seeded, clock, trusted_proxies=(), client_registration_rate=Rate(1, 600)
    ) as peer:
        proxy = peer(PROXY)
        answers = [
            await proxy.post(
                LVM,
                json=body(n),
                headers={"X-Forwarded-For": f"203.0.113.{n}", "X-Forwarded-Proto": "https"},
            )
            for n in range(2)
        ]

    assert answers[0].status_code == 201
    assert_too_many(answers[1])
    assert "strict-transport-security" not in answers[0].headers
