"""Bodies of the staff side's API (attendee lists, attendance), as msgspec Structs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from courses.domain.ids import MAX_ID
from courses.domain.messages import MessageGroup
from courses.domain.rules import RegistrationStatus

__all__ = [
    "AttendanceIn",
    "AttendanceOut",
    "AttendeeListOut",
    "AttendeeOut",
    "MarkIn",
    "MessageIn",
    "MessageOut",
]


class AttendeeOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    email: str
    phone: str | None
    employer: str
    workplace: str
    format: str | None
    status: RegistrationStatus
    waitlist_position: int | None
    registered_at: datetime
    attendance: dict[str, bool]
    """Session position (as a string key) -> attended; unmarked sessions are missing."""
    manager_email: str | None = None
    """The manager who approves, on a course that asks for it; else null."""
    offer_due_at: datetime | None = None
    """Until when a seat offered from the waitlist may be answered (status `offered`, or a
    waiting registration told of a free seat in the last window); else null."""
    replaces: str | None = None
    """The name of the colleague who handed this registration their seat."""
    replaced_by: str | None = None
    """The name of the colleague this registration (status `transferred`) handed its seat to."""


class SessionRef(msgspec.Struct, kw_only=True):
    position: int
    date: date


class AttendeeListOut(msgspec.Struct, kw_only=True):
    course: str
    title: str
    sessions: list[SessionRef]
    attendees: list[AttendeeOut]
    total: int
    """How many people the whole list has (`attendees` holds one page with `limit`)."""


class MarkIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    registration: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="Anmälans id")]
    session: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="Kursdagens nummer")]
    attended: bool


class AttendanceIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    marks: Annotated[list[MarkIn], msgspec.Meta(min_length=1, max_length=10_000)]


class AttendanceOut(msgspec.Struct, kw_only=True):
    saved: int


class MessageIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A message to a course's people; the service checks the lengths and the session, so
    its errors are the page's, in Swedish."""

    to: MessageGroup
    subject: str
    text: str
    session: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    dry_run: bool = False


class MessageOut(msgspec.Struct, kw_only=True):
    recipients: int
    """How many get the message (one mail each), or would on a dry run."""
