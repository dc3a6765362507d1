"""The reason staff write when they cancel a course, a session or someone's registration: it is
quoted in the mail to everyone concerned, so it is plain text of a few lines."""

from __future__ import annotations

import re

from courses.domain.errors import FieldError, InvalidInput

__all__ = ["MAX_REASON", "clean_reason"]

MAX_REASON = 2000
"""Characters; a few lines, as the page's text box suggests."""

# What a mail cannot carry as text: C0 controls but tab and line breaks, DEL, C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_reason(text: str | None, *, required: bool = False) -> str | None:
    """The reason without surrounding blank space and with one kind of line break; None when
    nothing was written. InvalidInput (field `reason`) when it is `required` and empty, or too
    long, or with a control character (anything but line breaks and tabs)."""
    if _CONTROLS.search(text or ""):
        raise _invalid("Anledningen innehåller tecken som inte är text. Skriv den igen.")
    cleaned = "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
    if not cleaned:
        if required:
            raise _invalid("Skriv varför, så att de som får mejlet vet det.")
        return None
    if len(cleaned) > MAX_REASON:
        raise _invalid(f"Skriv högst {MAX_REASON} tecken (nu {len(cleaned)}).")
    return cleaned


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(message, [FieldError("reason", message)])
