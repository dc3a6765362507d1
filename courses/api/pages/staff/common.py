"""What every staff page shares: the signed-in header, private headers, safe return addresses.

Staff pages show personal data, so they go out with `private=True` (no-store, no-referrer; the
app's security hook forces both on these paths too, errors included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar.response import Template

from courses.api.pages.templating import page
from courses.domain.permissions import Actor

__all__ = [
    "DEFAULT_TARGET",
    "StaffHeader",
    "local_target",
    "sign_in_path",
    "staff_page",
]

DEFAULT_TARGET = "/kursledare"
"""Where a signed-in person lands when the sign-in did not start from another staff page."""

_MAX_TARGET = 500


@dataclass(frozen=True, slots=True)
class StaffHeader:
    """Who is signed in, for the header: their address and which pages they may open."""

    label: str
    is_admin: bool


def staff_page(
    template: str, context: Mapping[str, Any], actor: Actor, *, status: int = 200
) -> Template:
    header = StaffHeader(label=actor.label, is_admin=actor.is_admin)
    return page(template, {**context, "staff": header}, status=status, private=True)


def local_target(value: object) -> str | None:
    """`value` if it is a path on this site (one leading `/`), else None.

    Anything else could send a person who just signed in to another site (`//evil.example`,
    `/\\evil.example`, `https://…`), so it is refused rather than repaired.
    """
    if not isinstance(value, str) or not value or len(value) > _MAX_TARGET:
        return None
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return None
    if value.startswith(("/logga-in", "/logga-ut")):
        return None  # back to the sign-in itself would be a loop
    return value


def sign_in_path(target: str | None) -> str:
    """The sign-in page, remembering where to go afterwards."""
    safe = local_target(target)
    return f"/logga-in?{urlencode({'till': safe})}" if safe else "/logga-in"
