"""An organizer's OpenID Connect provider for staff sign-in (`[organizer.oidc]`).

The settings are stored with the organizer; the client secret never is: it is read from the
environment variable `secret_variable(key)` when needed. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "DEFAULT_SCOPES",
    "SIGN_IN_MODES",
    "OidcSettings",
    "SignInMode",
    "redirect_path",
    "secret_variable",
]

SignInMode = Literal["link_and_oidc", "oidc"]
SIGN_IN_MODES: tuple[SignInMode, ...] = ("link_and_oidc", "oidc")
"""`link_and_oidc`: the mailed link stays beside the provider; `oidc`: the mailed link is off for
the provider's domains."""

DEFAULT_SCOPES: tuple[str, ...] = ("openid", "email", "profile")


def redirect_path(key: str) -> str:
    """The path the provider sends the browser back to; registered there as
    `{COURSES_BASE_URL}` followed by this."""
    return f"/logga-in/oidc/{key}"


def secret_variable(key: str) -> str:
    """The environment variable holding the client secret of organizer `key`."""
    return "COURSES_OIDC_SECRET_" + key.upper().replace("-", "_")


@dataclass(frozen=True, slots=True)
class OidcSettings:
    issuer: str
    client_id: str
    name: str
    """Shown on the button: "Logga in med {name}"."""
    scopes: tuple[str, ...]
    domains: tuple[str, ...]
    """The address domains this provider signs in (subdomains count too)."""

    def as_json(self) -> dict[str, Any]:
        """The organizer table's `oidc` column."""
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "name": self.name,
            "scopes": list(self.scopes),
            "domains": list(self.domains),
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> OidcSettings:
        return cls(
            issuer=str(value["issuer"]),
            client_id=str(value["client_id"]),
            name=str(value["name"]),
            scopes=tuple(str(s) for s in value["scopes"]),
            domains=tuple(str(d) for d in value["domains"]),
        )
