"""Staff sign-in at the organizer's OpenID provider, against a real provider (node-oidc-provider
in a subprocess): the whole code flow through the app, and every way an answer is refused:
each refusal signs no one in and writes one audit entry.

The token checks are driven with ID tokens signed here and a token endpoint this test controls
(discovery and keys still come from the real provider)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text

from courses.api import create_app
from courses.clock import FixedClock
from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.services.staff import admins, oidc, oidc_provider
from courses.storage.staff_tables import audit_table, staff_session_table
from tests.oidc_support import OidcProvider, dev_login, new_key, run_provider
from tests.staff.support import LEADER_A, staff_world

ORGANIZER = "kronoberg-beroende"
ADMIN = "anna.admin@kronoberg.se"
CALLBACK = f"http://kurser.test/logga-in/oidc/{ORGANIZER}"
ACCOUNTS = {
    "admin": {"email": ADMIN, "email_verified": True},
    "leader": {"email": LEADER_A, "email_verified": True},
    "stranger": {"email": "okand.person@kronoberg.se", "email_verified": True},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    yield from run_provider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=[CALLBACK],
        accounts=ACCOUNTS,
        post_logout_redirect_uris=["http://kurser.test/logga-in?utloggad=ja"],
    )


@pytest.fixture
async def with_provider(
    seeded: ServiceContext, provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> ServiceContext:
    await staff_world(seeded)
    await admins.add_account(seeded, ADMIN, Role.ADMIN, organizer_key=ORGANIZER)
    settings = provider.settings(name="Region Kronoberg", domains=["kronoberg.se"])
    async with seeded.db.write() as conn:
        await conn.execute(
            text("UPDATE organizer SET oidc = :oidc WHERE key = :key"),
            {"oidc": json.dumps(settings), "key": ORGANIZER},
        )
    monkeypatch.setenv("COURSES_OIDC_SECRET_KRONOBERG_BEROENDE", provider.client_secret)
    oidc_provider._cache.clear()
    return seeded


@pytest.fixture
async def app_client(
    with_provider: ServiceContext, clock: FixedClock
) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(with_provider.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def _sessions(ctx: ServiceContext) -> list[str]:
    async with ctx.db.read() as conn:
        return list((await conn.execute(select(staff_session_table.c.email))).scalars())


async def _refusals(ctx: ServiceContext) -> list[str]:
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(audit_table.c.summary).where(audit_table.c.action == "staff.oidc_refused")
        )
        return list(rows.scalars())


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
    assert await _sessions(with_provider) == [ADMIN]
    assert (await app_client.get("/admin")).status_code == 200

    # The same callback again: its state is spent.
    again = await app_client.get(callback.removeprefix("http://kurser.test"))
    assert again.status_code == 403
    assert "redan använd" in again.text
    assert len(await _refusals(with_provider)) == 1

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
    assert await _sessions(with_provider) == []
    assert len(await _refusals(with_provider)) == 1


class _TokenEndpoint:
    """A token endpoint on 127.0.0.1 that answers with the ID token the test gives it."""

    def __init__(self) -> None:
        self.id_token = ""
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                body = json.dumps(
                    {"access_token": "x", "token_type": "Bearer", "id_token": endpoint.id_token}
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def token_endpoint(
    with_provider: ServiceContext, provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> Iterator[_TokenEndpoint]:
    endpoint = _TokenEndpoint()
    real = oidc_provider.discovery

    async def discovery(organizer: Any) -> dict[str, Any]:
        return {**await real(organizer), "token_endpoint": endpoint.url}

    monkeypatch.setattr(oidc_provider, "discovery", discovery)
    yield endpoint
    endpoint.server.shutdown()
    endpoint.server.server_close()


def _claims(provider: OidcProvider, nonce: str, changes: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": provider.issuer,
        "sub": "admin",
        "aud": provider.client_id,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "email": ADMIN,
        "email_verified": True,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict[str, Any], key: RSAKey) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


async def _started(ctx: ServiceContext) -> tuple[str, str]:
    """A sign-in started at the service: its state and nonce (from the authorization URL)."""
    query = httpx.URL(await oidc.start(ctx, ORGANIZER)).params
    return query["state"], query["nonce"]


STRANGER_KEY = new_key("test-key-1")  # the provider's key id, another key


@pytest.mark.parametrize(
    ("changes", "key", "reason"),
    [
        ({}, "stranger", "underskrift"),
        ({"kid": "no-such-key"}, "stranger", "underskrift"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "provider", "gått ut"),
        ({"aud": "someone-else"}, "provider", "inte utfärdat till den här tjänsten"),
        ({"iss": "http://127.0.0.1:1"}, "provider", "fel utfärdare"),
        ({"nonce": "another"}, "provider", "hör inte till den här inloggningen"),
        ({"email_verified": None}, "provider", "inte bekräftad"),
        ({"email_verified": "true"}, "provider", "inte bekräftad"),
        ({"email": "anna.admin@example.org"}, "provider", "domän"),
        ({"email": "okand@kronoberg.se"}, "provider", "varken administratör eller kursledare"),
    ],
)
async def test_a_token_that_does_not_hold_is_refused(
    with_provider: ServiceContext,
    provider: OidcProvider,
    token_endpoint: _TokenEndpoint,
    changes: dict[str, Any],
    key: str,
    reason: str,
) -> None:
    state, nonce = await _started(with_provider)
    changes = dict(changes)
    kid = changes.pop("kid", None)
    signing_key = provider.key if key == "provider" else STRANGER_KEY
    if kid is not None:
        signing_key = new_key(kid)
    token_endpoint.id_token = _sign(_claims(provider, nonce, changes), signing_key)

    with pytest.raises(oidc.OidcRefused) as refused:
        await oidc.finish(with_provider, ORGANIZER, "any-code", state)

    assert reason in refused.value.detail
    assert await _sessions(with_provider) == []
    refusals = await _refusals(with_provider)
    assert len(refusals) == 1
    assert token_endpoint.id_token not in refusals[0]


async def test_a_token_signed_by_the_provider_signs_in_once(
    with_provider: ServiceContext, provider: OidcProvider, token_endpoint: _TokenEndpoint
) -> None:
    state, nonce = await _started(with_provider)
    token_endpoint.id_token = _sign(_claims(provider, nonce, {}), provider.key)

    signed_in = await oidc.finish(with_provider, ORGANIZER, "any-code", state)
    assert signed_in.actor.is_admin
    with pytest.raises(oidc.OidcRefused, match="redan använd"):
        await oidc.finish(with_provider, ORGANIZER, "any-code", state)
    assert await _sessions(with_provider) == [ADMIN]
    assert len(await _refusals(with_provider)) == 1


async def test_an_unreachable_provider_is_its_own_error(
    with_provider: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    async with with_provider.db.write() as conn:
        await conn.execute(
            text("UPDATE organizer SET oidc = :oidc WHERE key = :key"),
            {
                "oidc": json.dumps(
                    {
                        "issuer": "http://127.0.0.1:1",
                        "client_id": "c",
                        "name": "Borta",
                        "scopes": ["openid"],
                        "domains": ["kronoberg.se"],
                    }
                ),
                "key": ORGANIZER,
            },
        )
    with pytest.raises(oidc.ProviderUnreachable):
        await oidc.start(with_provider, ORGANIZER)
    assert [r.levelname for r in caplog.records if r.name == oidc_provider.__name__] == ["WARNING"]
