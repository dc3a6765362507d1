"""Which organizers' OpenID Connect providers sign an address in, and whether the mailed link
still may (`[organizer.oidc]` and `sign_in` in the schedule file).

An address matches a provider when its domain is one of the provider's `domains` or a
subdomain of one, as for an employer's domains. An organizer with `sign_in = "oidc"` has turned
the mailed link off for the addresses its provider signs in.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.addresses import domain_allowed, email_domain
from courses.domain.oidc import OidcSettings
from courses.services.context import ServiceContext
from courses.storage.organizers import OrganizerRecord, all_organizers

__all__ = ["link_allowed", "link_allowed_in", "providers_for_email"]


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
