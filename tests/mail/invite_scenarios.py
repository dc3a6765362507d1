"""Courses and helpers the invite tests share: invites read back from the SMTP server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import msgspec
from icalendar import Event

from courses.schedule import CourseSpec
from tests.mail import parse
from tests.mail.smtp_server import SmtpServer

ASI = "asi-grund-2022"  # four all-day sessions, max 4 seats, on-site "Meddelas av kursledaren"
ATERFALL = "aterfallsprevention-2022"  # 5 and 6 April 2022, 09-16, Ljungby or digital

DST = "omstallning-2022"
DST_SCHEDULE = f"""
[[course]]
slug = "{DST}"
title = "Kursdagar när klockan ställs om"
leaders = [{{ name = "Anna Hamle" }}]
deadline = 2022-03-20

[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"

[[course.session]]
date = 2022-03-27
start = 09:00:00
end = 16:00:00

[[course.session]]
date = 2022-10-30
start = 09:00:00
end = 16:00:00
"""


@dataclass(frozen=True)
class Invite:
    """One received message's invite."""

    message: EmailMessage
    method: str  # the MIME part's method= parameter
    event: Event

    def __repr__(self) -> str:
        return f"Invite({self.method} {self.uid} SEQUENCE:{self.sequence})"

    @property
    def uid(self) -> str:
        return str(self.event["UID"])

    @property
    def sequence(self) -> int:
        return int(self.event.decoded("SEQUENCE"))


def invites_to(smtp: SmtpServer, address: str, *, skip: int = 0) -> list[Invite]:
    """The invites in the messages to `address` after the first `skip` messages, by
    registration and session position (the UID holds both).

    Not in the order they arrived: the worker sends in two lanes, so the invites of one
    delivery can arrive in either order (a test comparing arrival orders failed now and then on
    a loaded machine). `skip` counts whole deliveries' messages, which never interleave.
    """
    found = []
    for message in smtp.to(address)[skip:]:
        part = parse.calendar_part(message)
        if part is None:
            continue
        found.append(Invite(message, str(part.get_param("method")), parse.event(message)))
    return sorted(found, key=_position)


_UID = re.compile(r"-r(\d+)-s(\d+)@")


def _position(invite: Invite) -> tuple[int, int]:
    found = _UID.search(invite.uid)
    assert found, f"not a session UID: {invite.uid}"
    return (int(found[1]), int(found[2]))


def moved_first_session(spec: CourseSpec) -> CourseSpec:
    first = spec.session[0]
    moved = msgspec.structs.replace(first, date=first.date + timedelta(days=2))
    return msgspec.structs.replace(spec, session=[moved, *spec.session[1:]])


ME = "deltagare1@vaxjo.se"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
