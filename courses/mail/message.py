"""A mail as MIME: text and HTML alternatives, and the invite where the row carries one.

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8
        text/html; charset=utf-8
        text/calendar; method=REQUEST|CANCEL; charset=utf-8    (invite rows only)
      application/ics; name=invite.ics                        (the same object, as a file)

The calendar part's `method=` is always the file's METHOD: Outlook rejects the invite when
they differ. Header values come from registrants (a name) and schedule files (a title); every
one is reduced to a single line, and the `email` package refuses anything that still is not.
"""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

from courses.mail.content import MailContent
from courses.settings import Settings

__all__ = ["build_message", "message_id"]


def _one_line(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def message_id(settings: Settings, token: str) -> str:
    _, address = parseaddr(settings.mail_from)
    domain = address.rpartition("@")[2] or "localhost"
    return f"<{token}@{domain}>"


def build_message(
    content: MailContent,
    *,
    to_name: str,
    to_email: str,
    token: str,
    settings: Settings,
    now: datetime,
    invite: bytes | None = None,
    method: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    name, address = parseaddr(settings.mail_from)
    message["From"] = Address(display_name=_one_line(name), addr_spec=address)
    message["To"] = Address(display_name=_one_line(to_name), addr_spec=to_email.strip())
    message["Subject"] = _one_line(content.subject)
    message["Date"] = format_datetime(now.astimezone(ZoneInfo(settings.timezone)))
    message["Message-ID"] = message_id(settings, token)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    if invite is not None:
        if method is None:
            raise ValueError("an invite needs its iTIP method")
        message.add_alternative(invite.decode(), subtype="calendar", params={"method": method})
        message.add_attachment(invite, maintype="application", subtype="ics", filename="invite.ics")
    return message
