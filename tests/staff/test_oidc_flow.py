"""Staff sign-in at the organizer's OpenID provider through the app, against a real provider
(node-oidc-provider in a subprocess): the whole code flow with its login form, a replayed
callback, an address that is not staff, an organizer that turned the mailed link off, and a
provider that does not answer. Each refusal signs no one in and writes one audit entry."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from courses.services.context import ServiceContext
from tests.oidc_support import OidcProvider, dev_login
from tests.staff import oidc_world
from tests.staff.oidc_world import ADMIN, ORGANIZER, configure, refusals, sessions

CALLBACK = f"http://kurser.test/logga-in/oidc/{ORGANIZER}"


# The shared fixtures, by name.
app_client = oidc_world.app_client
provider = oidc_world.provider
with_provider = oidc_world.with_provider


async def _start(client: AsyncTestClient[Any]) -> str:
    page = await client.get("/logga-in")
    assert "Logga in med Region Kronoberg" in page.text
    csrf = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    started = await client.post(
        f"/logga-in/oidc/{ORGANIZER}/start", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert started.status_code == 303
    return str(started.headers["location"])


async def test_an_admin_signs_in_at_the_provider_and_out_again(
    app_client: AsyncTestClient[Any], with_provider: ServiceContext, provider: OidcProvider
) -> None:
    authorization_url = await _start(app_client)
    assert authorization_url.startswith(provider.issuer)
    assert "code_challenge_method=S256" in authorization_url
    with httpx.Client() as browser:
        callback = dev_login(browser, authorization_url, "admin")
    assert callback.startswith(CALLBACK)

    answer = await app_client.get(
        callback.removeprefix("http://kurser.test"), follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/kursledare"
    assert await sessions(with_provider) == [ADMIN]
    assert (await app_client.get("/admin")).status_code == 200

    # The same callback again: its state is spent.
    again = await app_client.get(callback.removeprefix("http://kurser.test"))
    assert again.status_code == 403
    assert "redan använd" in again.text
    assert len(await refusals(with_provider)) == 1

    page = await app_client.get("/kursledare")
    csrf = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    out = await app_client.post("/logga-ut", data={"_csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert out.headers["location"] == "/logga-in?utloggad=ja"
    signed_out = await app_client.get(out.headers["location"])
    assert signed_out.headers["refresh"].startswith(f"0; url={provider.issuer}/session/end?")
    assert "Du är utloggad." in signed_out.text
    again = await app_client.get("/logga-in?utloggad=ja")  # once: the cookie is gone
    assert "refresh" not in again.headers
    assert (await app_client.get("/admin", follow_redirects=False)).status_code != 200


@pytest.mark.parametrize(
    ("login", "reason"),
    [("stranger", "varken administratör eller kursledare")],
)
async def test_an_address_that_is_not_staff_is_refused(
    app_client: AsyncTestClient[Any], with_provider: ServiceContext, login: str, reason: str
) -> None:
    authorization_url = await _start(app_client)
    with httpx.Client() as browser:
        callback = dev_login(browser, authorization_url, login)
    answer = await app_client.get(callback.removeprefix("http://kurser.test"))
    assert answer.status_code == 403
    assert reason in answer.text
    assert "Skicka inloggningslänk" in answer.text  # the organizer still mails links
    assert await sessions(with_provider) == []
    assert len(await refusals(with_provider)) == 1


async def test_the_page_offers_the_mailed_link_when_the_provider_does_not_answer(
    app_client: AsyncTestClient[Any], with_provider: ServiceContext
) -> None:
    unreachable = {
        "issuer": "http://127.0.0.1:1",
        "client_id": "c",
        "name": "Region Kronoberg",
        "scopes": ["openid", "email"],
        "domains": ["kronoberg.se"],
    }
    await configure(with_provider, unreachable)
    page = await app_client.get("/logga-in")
    csrf = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = await app_client.post(
        f"/logga-in/oidc/{ORGANIZER}/start", data={"_csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 503
    assert "svarar inte just nu" in answer.text
    assert "Skicka inloggningslänk" in answer.text
    assert await sessions(with_provider) == []


async def test_an_organizer_that_turned_the_link_off_offers_only_its_provider(
    app_client: AsyncTestClient[Any], with_provider: ServiceContext
) -> None:
    async with with_provider.db.write() as conn:
        await conn.execute(
            text("UPDATE organizer SET sign_in = 'oidc' WHERE key = :key"), {"key": ORGANIZER}
        )
    answer = await app_client.get(f"/logga-in/oidc/{ORGANIZER}?code=c&state=never-started")
    assert answer.status_code == 403
    assert "redan använd, har gått ut eller är okänd" in answer.text
    assert "Skicka inloggningslänk" not in answer.text
    assert await sessions(with_provider) == []
    assert len(await refusals(with_provider)) == 1


async def test_an_answer_that_names_another_issuer_is_refused(
    app_client: AsyncTestClient[Any], with_provider: ServiceContext
) -> None:
    """RFC 9207: the callback's `iss` must be the organizer's provider (mix-up defence)."""
    authorization_url = await _start(app_client)
    with httpx.Client() as browser:
        callback = dev_login(browser, authorization_url, "admin")
    path, _, query = callback.removeprefix("http://kurser.test").partition("?")
    params = [p for p in query.split("&") if not p.startswith("iss=")]
    forged = f"{path}?{'&'.join([*params, 'iss=https%3A%2F%2Fannan.example'])}"

    answer = await app_client.get(forged)

    assert answer.status_code == 403
    assert "en annan inloggningstjänst" in answer.text
    assert await sessions(with_provider) == []
    assert len(await refusals(with_provider)) == 1
