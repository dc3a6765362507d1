"""What an organizer's OpenID provider says: its discovery document and keys (read over httpx
with a short timeout and kept for an hour), its answer to a code, and whether an ID token holds
(joserfc, Authlib's JOSE library: the signature by the provider's keys, read again once for an
unknown key id as when the provider rotates its keys; issuer, audience, expiry and nonce)."""

from __future__ import annotations

import logging
import time
from typing import Any, cast

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from courses.domain.errors import DomainError
from courses.storage.oidc_logins import OidcOrganizer

__all__ = [
    "DISCOVERY_TTL",
    "ProviderUnreachable",
    "discovery",
    "exchange",
    "get_json",
    "verified_claims",
]

log = logging.getLogger(__name__)

DISCOVERY_TTL = 3600.0
"""Seconds a provider's discovery document and keys are kept before they are read again."""
TIMEOUT = httpx.Timeout(5.0)
_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
_LEEWAY = 60
"""Seconds of clock difference allowed between the provider and this machine."""

_cache: dict[str, tuple[float, dict[str, Any]]] = {}


class ProviderUnreachable(DomainError):
    code = "oidc-unreachable"


async def get_json(url: str, *, fresh: bool = False) -> dict[str, Any]:
    """A JSON document from the provider, cached for an hour (`fresh` reads it again)."""
    cached = _cache.get(url)
    if cached is not None and not fresh and time.monotonic() - cached[0] < DISCOVERY_TTL:
        return cached[1]
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(url)
            response.raise_for_status()
            document = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("OpenID provider unreachable: %s: %s", url, exc)
        raise ProviderUnreachable(
            "Inloggningstjänsten svarar inte just nu. Försök igen om en stund."
        ) from exc
    if not isinstance(document, dict):
        raise ProviderUnreachable("Inloggningstjänsten gav ett svar som inte går att läsa.")
    _cache[url] = (time.monotonic(), document)
    return document


async def discovery(organizer: OidcOrganizer) -> dict[str, Any]:
    issuer = str(organizer.settings["issuer"]).rstrip("/")
    document = await get_json(f"{issuer}/.well-known/openid-configuration")
    if str(document.get("issuer", "")).rstrip("/") != issuer:  # OpenID Discovery 1.0, 4.3
        log.warning("OpenID provider %s names another issuer: %s", issuer, document.get("issuer"))
        raise ProviderUnreachable("Inloggningstjänsten är felaktigt inställd.")
    return document


async def exchange(
    discovery: dict[str, Any],
    *,
    code: str,
    verifier: str,
    redirect_uri: str,
    client_id: str,
    secret: str,
) -> httpx.Response:
    """The token endpoint's answer to the code (client_secret_basic, with the PKCE verifier)."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            return await client.post(
                discovery["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": redirect_uri,
                    "code_verifier": verifier,
                },
                auth=(client_id, secret),
                headers={"Accept": "application/json"},
            )
    except httpx.HTTPError as exc:
        log.warning("OpenID provider unreachable: %s: %s", discovery["token_endpoint"], exc)
        raise ProviderUnreachable(
            "Inloggningstjänsten svarar inte just nu. Försök igen om en stund."
        ) from exc


async def verified_claims(
    organizer: OidcOrganizer, discovery: dict[str, Any], id_token: str, nonce: str
) -> dict[str, Any] | str:
    """The ID token's claims, or the reason (Swedish) it does not hold."""
    try:
        kid = jws.extract_compact(id_token.encode()).headers().get("kid")
    except (JoseError, ValueError):
        return "svaret från inloggningstjänsten gick inte att läsa"
    keys = await get_json(discovery["jwks_uri"])
    if kid is not None and all(k.get("kid") != kid for k in keys.get("keys", [])):
        keys = await get_json(discovery["jwks_uri"], fresh=True)  # the keys have changed
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(cast(Any, keys)), algorithms=_ALGORITHMS)
    except (JoseError, ValueError):
        return "inloggningstjänstens underskrift stämmer inte"
    registry = jwt.JWTClaimsRegistry(
        leeway=_LEEWAY,
        iss={"essential": True, "value": discovery["issuer"]},
        aud={"essential": True, "value": str(organizer.settings["client_id"])},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as exc:
        claim = getattr(exc, "claim", "")
        return {
            "iss": "beviset kommer från fel utfärdare",
            "aud": "beviset är inte utfärdat till den här tjänsten",
            "exp": "beviset har gått ut",
            "nonce": "beviset hör inte till den här inloggningen",
        }.get(claim, "beviset från inloggningstjänsten är ogiltigt")
    return dict(token.claims)
