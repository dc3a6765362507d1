"""Staff sign-in at the organizer's OpenID provider: the authorization code flow with PKCE.

`start` reads the provider's discovery document (cached for an hour), keeps a random state,
nonce and PKCE verifier in `oidc_login` (the state only by its hash, for 10 minutes) and
returns the provider's authorization URL. `finish` spends the state once, exchanges the code
(client secret from COURSES_OIDC_SECRET_<KEY>), verifies the ID token (signature by the
provider's keys, fetched again once for an unknown key id; issuer, audience, expiry, nonce),
requires a verified address within the provider's domains that belongs to an admin or a
leader, and starts a session exactly as the mailed link does. Every refusal signs no one in,
writes one audit entry and raises `OidcRefused` with a reason a person can read; a provider
that cannot be reached raises `ProviderUnreachable` and logs one warning.

Authlib gives the protocol's pieces (the authorization URL, the PKCE S256 challenge);
`oidc_provider` speaks to the provider and checks its ID token.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from courses.domain.addresses import domain_allowed, email_domain
from courses.domain.errors import DomainError
from courses.domain.permissions import Actor
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.staff import oidc_provider as remote
from courses.services.staff.oidc_provider import ProviderUnreachable
from courses.services.staff.sign_in import (
    SignedIn,
    actor_for_email,
    is_staff,
    start_session,
)
from courses.services.tokens import hash_token
from courses.storage import oidc_logins
from courses.storage.oidc_logins import OidcOrganizer

__all__ = [
    "LOGIN_VALID",
    "NoProvider",
    "OidcRefused",
    "Provider",
    "ProviderUnreachable",
    "end_session_url",
    "finish",
    "provider",
    "providers",
    "redirect_uri",
    "start",
]

log = logging.getLogger(__name__)

LOGIN_VALID = timedelta(minutes=10)


class OidcRefused(DomainError):
    """The provider's answer does not sign anyone in; `detail` says why, in Swedish."""

    code = "oidc-refused"


class NoProvider(DomainError):
    code = "oidc-no-provider"


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    name: str
    link_allowed: bool
    """Whether the organizer still mails sign-in links to its provider's domains."""
    origin: str
    """The issuer's scheme, host and port: where the browser is sent."""


def redirect_uri(ctx: ServiceContext, organizer_key: str) -> str:
    return f"{ctx.settings.base_url}/logga-in/oidc/{organizer_key}"


def _secret(organizer_key: str) -> str:
    name = "COURSES_OIDC_SECRET_" + organizer_key.upper().replace("-", "_")
    secret = os.environ.get(name, "")
    if not secret:
        log.warning("%s is not set: the provider will refuse the code exchange", name)
    return secret


async def providers(ctx: ServiceContext) -> list[Provider]:
    async with ctx.db.read() as conn:
        found = await oidc_logins.oidc_organizers(conn)
    return [_provider(o) for o in found]


def _provider(organizer: OidcOrganizer) -> Provider:
    issuer = httpx.URL(str(organizer.settings["issuer"]))
    port = f":{issuer.port}" if issuer.port else ""
    return Provider(
        organizer.key,
        str(organizer.settings["name"]),
        organizer.sign_in != "oidc",
        f"{issuer.scheme}://{issuer.host}{port}",
    )


async def provider(ctx: ServiceContext, organizer_key: str) -> Provider:
    return _provider(await _organizer(ctx, organizer_key))


async def _organizer(ctx: ServiceContext, organizer_key: str) -> OidcOrganizer:
    async with ctx.db.read() as conn:
        found = await oidc_logins.oidc_organizer(conn, organizer_key)
    if found is None:
        raise NoProvider("Den här arrangören har ingen inloggningstjänst.")
    return found


async def start(ctx: ServiceContext, organizer_key: str) -> str:
    """Begin a sign-in: the URL of the provider's authorization endpoint to send the browser."""
    organizer = await _organizer(ctx, organizer_key)
    discovery = await remote.discovery(organizer)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 asks for 43 to 128
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        await oidc_logins.add_login(
            conn,
            state_hash=hash_token(state),
            organizer_id=organizer.id,
            nonce=nonce,
            code_verifier=verifier,
            now=now,
            expires_at=now + LOGIN_VALID,
        )
    scopes = list(organizer.settings.get("scopes") or ["openid", "email"])
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return str(
        prepare_grant_uri(
            discovery["authorization_endpoint"],
            organizer.settings["client_id"],
            "code",
            redirect_uri=redirect_uri(ctx, organizer.key),
            scope=" ".join(scopes),
            state=state,
            nonce=nonce,
            code_challenge=create_s256_code_challenge(verifier),
            code_challenge_method="S256",
        )
    )


async def _refuse(
    ctx: ServiceContext, organizer: OidcOrganizer, reason: str, *, email: str | None = None
) -> OidcRefused:
    """Write the refusal's audit entry and return the error to raise."""
    label = email or f"okänd (inloggning via {organizer.settings['name']})"
    async with ctx.db.write() as conn:
        await record(
            conn,
            Actor(label=label),
            "staff.oidc_refused",
            at=ctx.clock.now(),
            summary=f"Inloggning via {organizer.settings['name']} nekad: {reason}",
            organizer_id=organizer.id,
        )
    return OidcRefused(reason)


async def finish(
    ctx: ServiceContext, organizer_key: str, code: str, state: str, *, iss: str | None = None
) -> SignedIn:
    """Complete a sign-in from the provider's callback; raises OidcRefused with the reason.

    `iss`: the issuer the callback names (RFC 9207), where the provider sends one; it must be
    this organizer's, so an answer from another provider is not mixed up with ours."""
    organizer = await _organizer(ctx, organizer_key)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        started = await oidc_logins.spend_login(
            conn, hash_token(state), organizer_id=organizer.id, now=now
        )
    if started is None:
        raise await _refuse(
            ctx, organizer, "inloggningen är redan använd, har gått ut eller är okänd"
        )
    if iss is not None and iss != organizer.settings["issuer"]:
        raise await _refuse(ctx, organizer, "svaret kom från en annan inloggningstjänst")
    discovery = await remote.discovery(organizer)
    response = await remote.exchange(
        discovery,
        code=code,
        verifier=started.code_verifier,
        redirect_uri=redirect_uri(ctx, organizer.key),
        client_id=str(organizer.settings["client_id"]),
        secret=_secret(organizer.key),
    )
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    id_token = answer.get("id_token") if isinstance(answer, dict) else None
    if response.status_code != 200 or not isinstance(id_token, str):
        raise await _refuse(ctx, organizer, "inloggningstjänsten lämnade inget giltigt bevis")
    claims = await remote.verified_claims(organizer, discovery, id_token, started.nonce)
    if isinstance(claims, str):
        raise await _refuse(ctx, organizer, claims)
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise await _refuse(ctx, organizer, "inloggningstjänsten uppgav ingen e-postadress")
    if claims.get("email_verified") is not True:
        raise await _refuse(
            ctx, organizer, "e-postadressen är inte bekräftad hos inloggningstjänsten", email=email
        )
    domains = [str(d) for d in organizer.settings.get("domains") or []]
    if not domain_allowed(email_domain(email), domains):
        raise await _refuse(
            ctx, organizer, "adressens domän hör inte till den här arrangören", email=email
        )
    if not await is_staff(ctx, email):
        raise await _refuse(
            ctx, organizer, "adressen är varken administratör eller kursledare", email=email
        )
    async with ctx.db.write() as conn:
        cookie = await start_session(conn, ctx, email, now=now)
    return SignedIn(cookie, await actor_for_email(ctx, email))


async def end_session_url(ctx: ServiceContext, organizer_key: str) -> str | None:
    """Where to send the browser to sign out at the provider too, if it offers that."""
    try:
        organizer = await _organizer(ctx, organizer_key)
        discovery = await remote.discovery(organizer)
    except (NoProvider, ProviderUnreachable):
        return None
    endpoint = discovery.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    query = httpx.QueryParams(
        client_id=str(organizer.settings["client_id"]),
        post_logout_redirect_uri=f"{ctx.settings.base_url}/logga-in?utloggad=ja",
    )
    return f"{endpoint}?{query}"
