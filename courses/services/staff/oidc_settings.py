"""Which organizers' OpenID Connect providers sign an address in, and whether the mailed link
still may (`[organizer.oidc]` and `sign_in` in the schedule file).

An address matches a provider when its domain is one of the provider's `domains` or a
subdomain of one, as for an employer's domains. An organizer with `sign_in = "oidc"` has turned
the mailed link off for the addresses its provider signs in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.addresses import domain_allowed, email_domain
from courses.domain.oidc import OidcSettings, SignInMode, redirect_path, secret_variable
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.storage.organizers import OrganizerRecord, all_organizers

__all__ = [
    "OrganizerSignIn",
    "link_allowed",
    "link_allowed_in",
    "providers_for_email",
    "secret_is_set",
    "sign_in_overview",
]


@dataclass(frozen=True, slots=True)
class OrganizerSignIn:
    """How an organizer's staff sign in, as its admins see it (never the secret itself)."""

    key: str
    name: str
    oidc: OidcSettings | None
    sign_in: SignInMode
    redirect_uri: str
    """The address to register at the provider."""
    secret_variable: str
    secret_set: bool
    """Whether `secret_variable` is set (not empty) in this process's environment."""

    @property
    def link_off(self) -> bool:
        """The mailed link is off for the provider's domains."""
        return self.oidc is not None and self.sign_in == "oidc"


def secret_is_set(key: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the client secret of organizer `key` is in the environment (read now, as the
    sign-in reads it when needed)."""
    env = os.environ if environ is None else environ
    return bool(env.get(secret_variable(key), "").strip())


async def sign_in_overview(
    ctx: ServiceContext, actor: Actor, *, environ: Mapping[str, str] | None = None
) -> list[OrganizerSignIn]:
    """The sign-in settings of each organizer the actor administers."""
    require_admin(actor)
    async with ctx.db.read() as conn:
        organizers = [o for o in await all_organizers(conn) if actor.administers(o.id)]
    base = ctx.settings.base_url.rstrip("/")
    return [
        OrganizerSignIn(
            key=o.key,
            name=o.name,
            oidc=o.oidc,
            sign_in=o.sign_in,
            redirect_uri=base + redirect_path(o.key),
            secret_variable=secret_variable(o.key),
            secret_set=secret_is_set(o.key, environ),
        )
        for o in organizers
    ]


async def providers_for_email(ctx: ServiceContext, email: str) -> list[tuple[str, OidcSettings]]:
    """(organizer key, provider) for each organizer whose provider signs in `email`, in the
    organizers' order."""
    async with ctx.db.read() as conn:
        organizers = await all_organizers(conn)
    return [(o.key, o.oidc) for o in _matching(organizers, email) if o.oidc is not None]


async def link_allowed(ctx: ServiceContext, email: str) -> bool:
    """Whether a sign-in link may be mailed to `email`: not when an organizer whose provider
    signs the address in has turned the mailed link off."""
    async with ctx.db.read() as conn:
        return await link_allowed_in(conn, email)


async def link_allowed_in(conn: AsyncConnection, email: str) -> bool:
    """`link_allowed` within a transaction the caller holds."""
    return not any(o.sign_in == "oidc" for o in _matching(await all_organizers(conn), email))


def _matching(organizers: list[OrganizerRecord], email: str) -> list[OrganizerRecord]:
    domain = email_domain(email)
    return [o for o in organizers if o.oidc is not None and domain_allowed(domain, o.oidc.domains)]
