"""The ID token's checks in `finish`, with tokens signed here and served by a token endpoint the
test controls (discovery and keys still come from the real provider): another key, an unknown
key id, expired, another audience or issuer or nonce, an unverified address, a domain not the
provider's, an address that is not staff. Each is refused with one audit entry and no session;
keys are read again for a new key id; an unreachable provider is its own error."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from courses.services.context import ServiceContext
from courses.services.staff import oidc, oidc_provider
from tests.oidc_support import OidcProvider, new_key
from tests.staff import oidc_world
from tests.staff.oidc_world import ADMIN, ORGANIZER, configure, refusals, sessions

# The shared fixtures, by name.
provider = oidc_world.provider
with_provider = oidc_world.with_provider


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


def _claims(issuer: OidcProvider, nonce: str, changes: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer.issuer,
        "sub": "admin",
        "aud": issuer.client_id,
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
    assert await sessions(with_provider) == []
    refused_entries = await refusals(with_provider)
    assert len(refused_entries) == 1
    assert token_endpoint.id_token not in refused_entries[0]


async def test_a_token_signed_by_the_provider_signs_in_once(
    with_provider: ServiceContext, provider: OidcProvider, token_endpoint: _TokenEndpoint
) -> None:
    state, nonce = await _started(with_provider)
    token_endpoint.id_token = _sign(_claims(provider, nonce, {}), provider.key)

    signed_in = await oidc.finish(with_provider, ORGANIZER, "any-code", state)
    assert signed_in.actor.is_admin
    with pytest.raises(oidc.OidcRefused, match="redan använd"):
        await oidc.finish(with_provider, ORGANIZER, "any-code", state)
    assert await sessions(with_provider) == [ADMIN]
    assert len(await refusals(with_provider)) == 1


async def test_keys_are_read_again_once_for_a_key_id_not_yet_known(
    with_provider: ServiceContext, provider: OidcProvider, token_endpoint: _TokenEndpoint
) -> None:
    """The provider rotated its keys since they were cached: the new key id reads them again."""
    state, nonce = await _started(with_provider)
    jwks_uri = f"{provider.issuer}/jwks"
    oidc_provider._cache[jwks_uri] = (time.monotonic(), {"keys": []})
    token_endpoint.id_token = _sign(_claims(provider, nonce, {}), provider.key)

    signed_in = await oidc.finish(with_provider, ORGANIZER, "any-code", state)

    assert signed_in.actor.label == ADMIN
    assert oidc_provider._cache[jwks_uri][1]["keys"]


async def test_an_unreachable_provider_is_its_own_error(
    with_provider: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    await configure(
        with_provider,
        {
            "issuer": "http://127.0.0.1:1",
            "client_id": "c",
            "name": "Borta",
            "scopes": ["openid"],
            "domains": ["kronoberg.se"],
        },
    )
    with pytest.raises(oidc.ProviderUnreachable):
        await oidc.start(with_provider, ORGANIZER)
    assert [r.levelname for r in caplog.records if r.name == oidc_provider.__name__] == ["WARNING"]
