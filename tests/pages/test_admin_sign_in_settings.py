"""`/admin/personal` shows how the organizer's staff sign in: the provider of
`[organizer.oidc]`, the redirect URI to register, the secret's variable and whether it is set
(never the secret), and whether the mailed link is off."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.services.staff.oidc_settings import secret_is_set, sign_in_overview
from tests.pages.staff import ADMIN, add_staff, sign_in
from tests.services.admin_support import SEED_ORGANIZER, admin_of

Client = AsyncTestClient[Any]
SECRET = "COURSES_OIDC_SECRET_KRONOBERG_BEROENDE"
PROVIDER = f"""
[organizer]
key = "{SEED_ORGANIZER}"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"
sign_in = "oidc"

[organizer.oidc]
issuer = "https://login.example.se/kronoberg"
client_id = "kurser-klient"
name = "Region Kronoberg"
domains = ["kronoberg.se"]
"""


@pytest.fixture
async def client(seeded: ServiceContext, clock: FixedClock) -> Any:
    await add_staff(seeded)
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        await sign_in(client, seeded, ADMIN)
        yield client


async def page(client: Client) -> str:
    answer = await client.get("/admin/personal")
    assert answer.status_code == 200
    # The words a reader sees, tags left out.
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", answer.text)).split())


async def test_without_a_provider_the_page_says_how_to_add_one(client: Client) -> None:
    text = await page(client)

    assert "Personalen loggar in med en länk som mejlas" in text
    assert f"/logga-in/oidc/{SEED_ORGANIZER}" in text
    assert SECRET in text


async def test_the_provider_is_shown_and_the_secret_never(
    client: Client, seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The admin signed in by a mailed link before the link was turned off.
    await import_schedule(seeded, parse_schedule(PROVIDER))
    monkeypatch.delenv(SECRET, raising=False)

    text = await page(client)

    for shown in (
        "Logga in med Region Kronoberg",
        "https://login.example.se/kronoberg",
        "kurser-klient",
        "openid email profile",
        "kronoberg.se (och deras underdomäner)",
        f"{seeded.settings.base_url.rstrip('/')}/logga-in/oidc/{SEED_ORGANIZER}",
        f"{SECRET} är inte satt i tjänsten",
        'Avstängd för de här domänerna (sign_in = "oidc")',
    ):
        assert shown in text

    monkeypatch.setenv(SECRET, "hemligt-värde-123")
    text = await page(client)
    assert f"{SECRET} är satt i tjänsten" in text
    assert "hemligt-värde-123" not in text


async def test_the_overview_is_the_actors_organizers_only(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(PROVIDER))
    (mine,) = await sign_in_overview(seeded, await admin_of(seeded), environ={SECRET: "x"})

    assert mine.key == SEED_ORGANIZER
    assert mine.link_off
    assert mine.secret_set
    assert not secret_is_set(SEED_ORGANIZER, {SECRET: "  "})
