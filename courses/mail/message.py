"""A mail as MIME bytes: text and HTML alternatives, and the invite where the row carries one.

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8
        text/html; charset=utf-8
        text/calendar; charset=utf-8; method=REQUEST|CANCEL    (invite rows only)
      application/ics; name=invite.ics                        (the same object, as a file)

The calendar part's `method=` is always the file's METHOD: Outlook rejects the invite when
they differ. Header values come from registrants (a name) and schedule files (a title); every
one is reduced to one line first, encoded as RFC 2047 words when it is not ASCII, and
addresses must parse as one plain address.

The `email` package encodes the pieces (encoded words, addresses, dates) but the message is
laid out here: its generator re-folds every header of every part through `email.header` in
Python and was half of the worker's CPU per mail (the benchmark, `bench/mail_throughput.py`,
measured 1.3 ms against 0.4 ms for this). Every body part is base64, so no line of a body
can be mistaken for a boundary or a header; boundaries come from the message's random token.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from email.charset import BASE64, Charset
from email.headerregistry import Address
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from courses.domain.wording import one_line
from courses.mail.content import MailContent
from courses.settings import Settings

__all__ = ["Outgoing", "build_message"]

_UTF8 = Charset("utf-8")
_UTF8.header_encoding = BASE64
_CRLF = b"\r\n"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One mail ready for a transport: envelope, bytes, and a readable name for files."""

    sender: str
    recipient: str
    data: bytes
    message_id: str
    name: str


def _address(text: str) -> str:
    # Address() refuses anything that is not one plain address (CR, LF, a second address).
    return Address(addr_spec=text.strip()).addr_spec


def _mailbox(name: str, address: str) -> str:
    return formataddr((one_line(name), address), charset=_UTF8)


def _text_header(text: str) -> str:
    line = one_line(text)
    if line.isascii():
        return line
    # Encoded words of 12 characters stay within RFC 2047's 75 octets; one per folded line,
    # and the folding between them is not part of the decoded text.
    chunks = [line[i : i + 12] for i in range(0, len(line), 12)]
    return "\r\n ".join(_UTF8.header_encode(chunk) for chunk in chunks)


@lru_cache(maxsize=8)
def _sender(mail_from: str) -> tuple[str, str, str]:
    """(From header, envelope sender, Message-ID domain) of a `mail_from` setting."""
    name, address = parseaddr(mail_from)
    address = _address(address)
    return _mailbox(name, address), address, address.rpartition("@")[2] or "localhost"


def _part(content_type: str, body: bytes, *extra: str) -> bytes:
    head = [f"Content-Type: {content_type}", *extra, "Content-Transfer-Encoding: base64"]
    encoded = base64.encodebytes(body).replace(b"\n", _CRLF)
    return _CRLF.join(line.encode() for line in head) + _CRLF + _CRLF + encoded


def _multipart(subtype: str, boundary: str, parts: list[bytes]) -> tuple[str, bytes]:
    delimiter = f"--{boundary}".encode()
    body = b"".join(delimiter + _CRLF + part + _CRLF for part in parts)
    return (
        f'multipart/{subtype}; boundary="{boundary}"',
        body + delimiter + b"--" + _CRLF,
    )


def build_message(
    content: MailContent,
    *,
    to_name: str,
    to_email: str,
    token: str,
    settings: Settings,
    now: datetime,
    name: str,
    invite: bytes | None = None,
    method: str | None = None,
) -> Outgoing:
    """The whole message; `token` fixes its Message-ID and boundaries, `name` names its file."""
    if invite is not None and method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"an invite needs its iTIP method, not {method!r}")
    from_header, sender, domain = _sender(settings.mail_from)
    recipient = _address(to_email)
    alternatives = [
        _part('text/plain; charset="utf-8"', content.text.encode()),
        _part('text/html; charset="utf-8"', content.html.encode()),
    ]
    if invite is not None:
        alternatives.append(_part(f'text/calendar; charset="utf-8"; method={method}', invite))
    content_type, body = _multipart("alternative", f"=_alt_{token}", alternatives)
    if invite is not None:
        attachment = _part(
            'application/ics; name="invite.ics"',
            invite,
            'Content-Disposition: attachment; filename="invite.ics"',
        )
        inner = f"Content-Type: {content_type}".encode() + _CRLF + _CRLF + body
        content_type, body = _multipart("mixed", f"=_mixed_{token}", [inner, attachment])
    ident = f"<{token}@{domain}>"
    headers = [
        f"From: {from_header}",
        f"To: {_mailbox(to_name, recipient)}",
        f"Subject: {_text_header(content.subject)}",
        f"Date: {format_datetime(now.astimezone(ZoneInfo(settings.timezone)))}",
        f"Message-ID: {ident}",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
    ]
    head = _CRLF.join(header.encode("ascii") for header in headers)
    return Outgoing(
        sender=sender,
        recipient=recipient,
        data=head + _CRLF + _CRLF + body,
        message_id=ident,
        name=name,
    )
