"""Every answer carries the security headers, errors and unknown paths included; personal data
is never cached, a token never leaks as a Referer, HSTS when the public address is https, and
the real server names no software."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Settings
from tests.api.support import token_of
from tests.concurrency.server import running_server
from tests.conftest import registrant as body

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022"
CSP = "default-src 'none'; frame-ancestors 'none'"


async def answers(api: Client) -> dict[str, httpx.Response]:
    """One answer of every kind: lists, errors, calendars, the document, a registrant's."""
    created = await api.post(f"{ASI}/registrations", json=body())
    token = token_of(created.json())
    return {
        "courses": await api.get("/api/courses"),
        "course": await api.get(ASI),
        "calendar": await api.get(f"{ASI}/calendar.ics"),
        "employers": await api.get("/api/employers"),
        "openapi": await api.get("/api/schema/openapi.json"),
        "unknown-path": await api.get("/api/nothing-here"),
        "wrong-method": await api.put(ASI),
        "not-found": await api.get("/api/courses/finns-inte"),
        "refused": await api.post(f"{ASI}/registrations", json={}),
        "registered": created,
        "registration": await api.get(f"/api/registrations/{token}"),
        "invite": await api.get(f"/api/registrations/{token}/invite.ics"),
        "unknown-token": await api.get("/api/registrations/finns-inte"),
        "cancelled": await api.delete(f"/api/registrations/{token}"),
    }


async def test_every_answer_has_the_security_headers(api: Client) -> None:
    for kind, response in (await answers(api)).items():
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", kind
        assert headers["x-frame-options"] == "DENY", kind
        assert headers["content-security-policy"] == CSP, kind
        assert "referrer-policy" in headers, kind
        assert "strict-transport-security" not in headers, kind  # http://kurser.test


async def test_answers_with_personal_data_are_never_stored(api: Client) -> None:
    found = await answers(api)

    personal = ["registered", "refused", "registration", "invite", "unknown-token", "cancelled"]
    for kind in personal:
        assert found[kind].headers["cache-control"] == "no-store", kind
    for kind in ["courses", "course", "employers"]:
        assert "no-store" not in found[kind].headers.get("cache-control", ""), kind


async def test_a_url_with_a_token_is_never_sent_on_as_a_referer(api: Client) -> None:
    found = await answers(api)

    for kind in ["registration", "invite", "unknown-token", "cancelled"]:
        assert found[kind].headers["referrer-policy"] == "no-referrer", kind
    assert found["courses"].headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_the_method_not_allowed_answer_names_the_allowed_methods(api: Client) -> None:
    response = await api.put(ASI)

    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


async def test_hsts_is_sent_when_the_public_address_is_https(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    settings = replace(seeded.settings, base_url="https://kurser.kronoberg.se")
    async with AsyncTestClient(create_app(settings, clock=clock)) as client:
        listing = await client.get("/api/courses")
        missing = await client.get("/api/nothing-here")

    assert listing.headers["strict-transport-security"] == "max-age=31536000"
    assert missing.headers["strict-transport-security"] == "max-age=31536000"


def test_no_swagger_page_loads_scripts_from_elsewhere_the_only_one_is_served_here() -> None:
    app = create_app(Settings(database_url="sqlite:///unused.db"))

    paths = {route.path for route in app.routes}
    assert "/api/schema/openapi.json" in paths
    # Litestar's own (/api/schema/swagger, ...) loads from a CDN; /api/docs serves its files
    # itself (tests/api/test_api_docs.py).
    assert not any("swagger" in path for path in paths)
    assert "/api/docs" in paths


@pytest.mark.slow
async def test_the_real_server_sends_no_server_banner(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    with running_server(create_app(seeded.settings, clock=clock, migrate=False)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            response = await http.get("/api/courses")

    assert response.status_code == 200
    assert "server" not in response.headers
