"""A mail as MIME bytes: text and HTML alternatives, and the invite where the row carries one.

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8
        text/html; charset=utf-8
        text/calendar; method=REQUEST|CANCEL; charset=utf-8    (invite rows only)
      application/ics; name=invite.ics                        (the same object, as a file)

The calendar part's `method=` is always the file's METHOD: Outlook rejects the invite when
they differ. Header values come from registrants (a name) and schedule files (a title); every
one is reduced to a single line first, and addresses must parse as addresses.

Built with the `email.mime` classes (the compat32 API), flattened once and sent as bytes: the
newer `EmailMessage` API parses every header it is given and cost four times as much per mail,
most of the worker's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, parseaddr
from zoneinfo import ZoneInfo

from courses.domain.wording import one_line
from courses.mail.content import MailContent
from courses.settings import Settings

__all__ = ["Outgoing", "build_message", "message_id"]

_UTF8 = Charset("utf-8")
_UTF8.header_encoding = QP
_UTF8.body_encoding = BASE64


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
    return formataddr((one_line(name), _address(address)), charset=_UTF8)


def message_id(settings: Settings, token: str) -> str:
    _, address = parseaddr(settings.mail_from)
    domain = address.rpartition("@")[2] or "localhost"
    return f"<{token}@{domain}>"


def _text(body: str, subtype: str, method: str | None = None) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(body, charset=_UTF8)
    if method is not None:
        part.set_param("method", method)
    del part["MIME-Version"]
    return part


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
    """The whole message; `token` fixes its Message-ID, `name` names its file."""
    if invite is not None and method is None:
        raise ValueError("an invite needs its iTIP method")
    sender_name, sender = parseaddr(settings.mail_from)
    alternative = MIMEMultipart("alternative")
    alternative.attach(_text(content.text, "plain"))
    alternative.attach(_text(content.html, "html"))
    if invite is not None and method is not None:
        alternative.attach(_text(invite.decode(), "calendar", method=method))
        del alternative["MIME-Version"]
        message = MIMEMultipart("mixed")
        message.attach(alternative)
        attachment = MIMEApplication(invite, "ics", name="invite.ics")
        attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
        del attachment["MIME-Version"]
        message.attach(attachment)
    else:
        message = alternative
    ident = message_id(settings, token)
    message["From"] = _mailbox(sender_name, sender)
    message["To"] = _mailbox(to_name, to_email)
    # A Header object is what compat32 folds and encodes; typeshed only knows str here.
    message["Subject"] = Header(one_line(content.subject), _UTF8)  # type: ignore[assignment]
    message["Date"] = format_datetime(now.astimezone(ZoneInfo(settings.timezone)))
    message["Message-ID"] = ident
    message["Auto-Submitted"] = "auto-generated"
    return Outgoing(
        sender=_address(sender),
        recipient=_address(to_email),
        data=message.as_bytes(),
        message_id=ident,
        name=name,
    )
