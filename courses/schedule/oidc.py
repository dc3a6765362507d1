"""The rules of `[organizer.oidc]` and `sign_in` beyond each field's own type, and the stored
settings they give: the issuer an https URL (http only on a loopback host, for tests), the
scopes with `openid` and `email`, and `sign_in = "oidc"` only with a provider."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from courses.domain.oidc import DEFAULT_SCOPES, OidcSettings
from courses.schedule.spec import OidcSpec, OrganizerSpec

__all__ = ["default_name", "oidc_problems", "oidc_settings", "oidc_spec"]

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_REQUIRED_SCOPES = ("openid", "email")


def default_name(issuer: str) -> str:
    """The provider's name when the file gives none: the issuer's host name."""
    return urlsplit(issuer).hostname or issuer


def oidc_problems(spec: OrganizerSpec) -> Iterator[tuple[str, str]]:
    """(place within the organizer, Swedish message) for each rule the organizer breaks."""
    if spec.oidc is None:
        if spec.sign_in == "oidc":
            yield (
                "sign_in",
                'sign_in = "oidc" stänger av inloggningslänken och kräver därför en '
                "identitetsleverantör i [organizer.oidc].",
            )
        return
    message = _issuer_problem(spec.oidc.issuer)
    if message:
        yield "oidc.issuer", message
    scopes = spec.oidc.scopes
    if scopes is not None:
        missing = [s for s in _REQUIRED_SCOPES if s not in scopes]
        if missing:
            yield (
                "oidc.scopes",
                "scopes måste innehålla " + " och ".join(f'"{s}"' for s in missing) + ".",
            )


def _issuer_problem(issuer: str) -> str | None:
    try:
        parts = urlsplit(issuer)
        host = parts.hostname
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        return "Utfärdaren (issuer) är ingen giltig webbadress."
    if not host:
        return "Utfärdaren (issuer) saknar värdnamn."
    if parts.username is not None or parts.password is not None:
        return "Utfärdaren (issuer) får inte innehålla användarnamn eller lösenord."
    if parts.query or parts.fragment or "?" in issuer or "#" in issuer:
        return "Utfärdaren (issuer) får inte ha någon frågedel (?…) eller fragment (#…)."
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and host in _LOOPBACK:
        return None
    return "Utfärdaren (issuer) måste vara en https-adress."


def oidc_settings(spec: OidcSpec) -> OidcSettings:
    """The settings stored for a valid `[organizer.oidc]`, with the defaults filled in."""
    return OidcSettings(
        issuer=spec.issuer,
        client_id=spec.client_id,
        name=spec.name or default_name(spec.issuer),
        scopes=tuple(spec.scopes) if spec.scopes is not None else DEFAULT_SCOPES,
        domains=tuple(spec.domains),
    )


def oidc_spec(settings: OidcSettings) -> OidcSpec:
    """The stored settings as the file writes them, a default left out (`oidc_settings` of it
    gives the same settings back)."""
    return OidcSpec(
        issuer=settings.issuer,
        client_id=settings.client_id,
        name=None if settings.name == default_name(settings.issuer) else settings.name,
        scopes=None if settings.scopes == DEFAULT_SCOPES else list(settings.scopes),
        domains=list(settings.domains),
    )
