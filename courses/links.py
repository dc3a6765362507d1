"""The public addresses that answers and mails link to: built here and nowhere else."""

from __future__ import annotations

__all__ = [
    "TAKEN_PATHS",
    "approval_url",
    "certificate_url",
    "manage_url",
    "organizer_home",
    "sign_in_url",
]

TAKEN_PATHS = frozenset(
    {
        "admin",
        "anmalan",
        "api",
        "favicon.ico",
        "godkann",
        "kurser",
        "kursledare",
        "logga-in",
        "logga-ut",
        "metrics",
        "mina-anmalningar",
        "robots.txt",
        "static",
        "tillganglighet",
    }
)
"""The service's own top-level path segments: an organizer's catalogue is `/{key}/`, so no
organizer may have one of these as its key (tests check every route's first segment is here)."""


def organizer_home(key: str, *, several: bool) -> str:
    """An organizer's catalogue: `/{key}/`, or `/` while it is the deployment's only one."""
    return f"/{key}/" if several else "/"


def manage_url(base_url: str, token: str) -> str:
    """The registrant's own page (receipt and manage page in one); `token` is its last path
    segment, which the `/api/registrations/{token}` routes take too (only its hash is stored)."""
    return f"{base_url}/anmalan/{token}"


def sign_in_url(base_url: str, token: str) -> str:
    """A staff member's one-time sign-in link; its page confirms with a button."""
    return f"{base_url}/logga-in/{token}"


def certificate_url(base_url: str, token: str) -> str:
    """The registrant's certificate (intyg), once they attended every session."""
    return f"{base_url}/anmalan/{token}/intyg"


def approval_url(base_url: str, token: str) -> str:
    """The manager's page to approve or decline a registration; a button does it."""
    return f"{base_url}/godkann/{token}"
