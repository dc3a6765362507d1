"""Read back what the SMTP server received: the text, HTML and calendar parts of a message."""

from __future__ import annotations

import re
from email.message import EmailMessage

from icalendar import Calendar, Event

__all__ = [
    "attachment",
    "bodies",
    "calendar",
    "calendar_part",
    "event",
    "html",
    "parts",
    "raw_ics",
    "text",
    "unfolded_ics",
]


def parts(message: EmailMessage, content_type: str) -> list[EmailMessage]:
    """Every leaf part of `message` with this content type (e.g. "text/calendar")."""
    return [
        part
        for part in message.walk()
        if isinstance(part, EmailMessage)
        and not part.is_multipart()
        and part.get_content_type() == content_type
    ]


def _only(message: EmailMessage, content_type: str) -> EmailMessage:
    found = parts(message, content_type)
    assert len(found) == 1, f"expected one {content_type} part, found {len(found)}"
    return found[0]


def text(message: EmailMessage) -> str:
    """The decoded text/plain alternative."""
    content: str = _only(message, "text/plain").get_content()
    return content


def html(message: EmailMessage) -> str:
    """The decoded text/html alternative."""
    content: str = _only(message, "text/html").get_content()
    return content


def calendar_part(message: EmailMessage) -> EmailMessage | None:
    """The text/calendar alternative, or None when the message carries no invite."""
    found = parts(message, "text/calendar")
    assert len(found) <= 1, f"expected at most one text/calendar part, found {len(found)}"
    return found[0] if found else None


def raw_ics(message: EmailMessage) -> str:
    """The text of the text/calendar part as sent (folded lines and all)."""
    part = calendar_part(message)
    assert part is not None, "the message carries no text/calendar part"
    content: str = part.get_content()
    return content


def unfolded_ics(message: EmailMessage) -> str:
    """The calendar text with folded lines joined again (RFC 5545 section 3.1)."""
    return re.sub(r"\r?\n[ \t]", "", raw_ics(message))


def attachment(message: EmailMessage) -> tuple[str | None, bytes]:
    """The invite attached as a file: its name and its bytes."""
    part = _only(message, "application/ics")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return part.get_filename(), payload


def calendar(message: EmailMessage) -> Calendar:
    """The text/calendar part parsed with icalendar."""
    return Calendar.from_ical(raw_ics(message))


def event(message: EmailMessage) -> Event:
    """The one VEVENT of the message's invite."""
    events = calendar(message).events
    assert len(events) == 1, f"expected one VEVENT, found {len(events)}"
    return events[0]


def bodies(message: EmailMessage) -> str:
    """Everything a reader can see, decoded: headers, text, HTML and the invite if any."""
    seen = [f"{key}: {value}" for key, value in message.items()]
    seen += [text(message), html(message)]
    if calendar_part(message) is not None:
        seen.append(unfolded_ics(message))
    return "\n".join(seen)
