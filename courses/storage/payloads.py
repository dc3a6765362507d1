"""What an outbox row carries besides its registration: one Struct per mail kind.

A message is built when it is sent, from the data stored then; the payload keeps only what
belonged to the moment of the change (a waitlist position, the lines of a course change, the
sessions it removed) and which sessions' invites the notice sends (`parts`, in order: the first
message of a notice is the notice itself). Encoded with the row's `kind` as the tag when
written (`courses.storage.outbox.enqueue`) and decoded when claimed.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import msgspec

from courses.domain.courses import SessionRecord
from courses.domain.notices import MailKind, WithdrawnBy

__all__ = [
    "AlreadyRegistered",
    "Applied",
    "ApprovalExpired",
    "ApprovalReminder",
    "ApprovalRequest",
    "ApprovalWithdrawn",
    "Approved",
    "AwaitingApproval",
    "Cancelled",
    "Confirmed",
    "CourseCancelled",
    "CourseChanged",
    "Declined",
    "FormatChanged",
    "Message",
    "MyRegistrations",
    "OfferDeclined",
    "OfferGone",
    "OfferLapsed",
    "Offered",
    "Payload",
    "Promoted",
    "Reminder",
    "RemovedSession",
    "SignIn",
    "TransferredIn",
    "TransferredOut",
    "Waitlisted",
    "decode_payload",
    "encode_payload",
    "kind_of",
]


class RemovedSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A session a course change took away; its invite is cancelled."""

    position: int
    day: date
    start: time | None = None
    end: time | None = None

    @classmethod
    def of(cls, session: SessionRecord) -> RemovedSession:
        return cls(session.position, session.day, session.start_time, session.end_time)

    def session(self) -> SessionRecord:
        return SessionRecord(self.position, self.day, self.start, self.end)


class _Payload(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, omit_defaults=True, tag_field="kind"
):
    pass


class _WithInvites(_Payload, frozen=True):
    parts: list[int] = []
    """Positions of the sessions whose invites the notice carries, one message each."""


class Confirmed(_WithInvites, frozen=True, tag=MailKind.CONFIRMED.value):
    drawn: bool = False
    """The seat was won in a lottery's draw: the mail says so."""


class Waitlisted(_Payload, frozen=True, tag=MailKind.WAITLISTED.value):
    waitlist_position: int
    per_employer: int | None = None
    """Set when the employer held its fair-seat share: the mail says why, and until when."""
    share_until: date | None = None
    after_draw: bool = False
    """Put on the waitlist by a lottery's draw: the mail says the draw is done."""


class Promoted(_WithInvites, frozen=True, tag=MailKind.PROMOTED.value):
    accepted: bool = False
    """The registrant accepted an offered seat (rather than being moved up at once)."""


class Cancelled(_WithInvites, frozen=True, tag=MailKind.CANCELLED.value):
    reason: str | None = None
    """Staff cancelled it for the registrant and wrote why (the mail quotes it)."""


class AlreadyRegistered(_Payload, frozen=True, tag=MailKind.ALREADY_REGISTERED.value):
    pass


class CourseChanged(_WithInvites, frozen=True, tag=MailKind.COURSE_CHANGED.value):
    changes: list[str] = []
    removed: list[RemovedSession] = []
    reason: str | None = None
    """The admin's own words on why the course or a session was cancelled."""


class CourseCancelled(_WithInvites, frozen=True, tag=MailKind.COURSE_CANCELLED.value):
    changes: list[str] = []
    removed: list[RemovedSession] = []
    reason: str | None = None
    """The admin's own words on why the course or a session was cancelled."""


class FormatChanged(_WithInvites, frozen=True, kw_only=True, tag=MailKind.FORMAT_CHANGED.value):
    """Staff moved the registration to another format; `was` names the one it left (the new
    one is read when the mail is built). Invites update where the place or link changed."""

    was: str


class Reminder(_Payload, frozen=True, tag=MailKind.REMINDER.value):
    pass


class SignIn(_Payload, frozen=True, tag=MailKind.SIGN_IN.value):
    """A staff member's sign-in link; the row's `sign_in_id` names it (the link is derived
    from its stored nonce when the mail is built, never stored)."""


class AwaitingApproval(_Payload, frozen=True, tag=MailKind.AWAITING_APPROVAL.value):
    """To the registrant: the seat is held until the manager answers."""

    promoted: bool = False
    """Moved up from the waitlist, rather than a seat at once."""
    accepted: bool = False
    """Accepted a seat offered from the waitlist."""
    drawn: bool = False
    """Won the seat in a lottery's draw."""


class Approved(_WithInvites, frozen=True, tag=MailKind.APPROVED.value):
    pass


class Declined(_WithInvites, frozen=True, tag=MailKind.DECLINED.value):
    pass


class ApprovalExpired(_WithInvites, frozen=True, tag=MailKind.APPROVAL_EXPIRED.value):
    pass


class ApprovalRequest(_Payload, frozen=True, tag=MailKind.APPROVAL_REQUEST.value):
    """To the manager, with the approval link (derived from the stored nonce when built)."""


class ApprovalReminder(_Payload, frozen=True, tag=MailKind.APPROVAL_REMINDER.value):
    pass


class ApprovalWithdrawn(_Payload, frozen=True, tag=MailKind.APPROVAL_WITHDRAWN.value):
    """To the manager, without a link: the registration no longer needs their answer."""

    by: WithdrawnBy


class Applied(_Payload, frozen=True, tag=MailKind.APPLIED.value):
    """An application to a lottery course was received; the seats are drawn on `draw_on`."""

    draw_on: date


class Message(_Payload, frozen=True, tag=MailKind.MESSAGE.value):
    """A leader's or admin's words to the course's people, as written (the subject one line)."""

    subject: str
    text: str
    session: int | None = None
    """The session the message is about, when it went to that session's people."""


class MyRegistrations(_Payload, frozen=True, tag=MailKind.MY_REGISTRATIONS.value):
    """To a mailbox (the row's registration gives the address): its active registrations,
    read when the mail is built, each with its manage link."""


class Offered(_Payload, frozen=True, tag=MailKind.OFFERED.value):
    """A seat offered from the waitlist, with the link to accept or decline by `due_at`.
    `open`: offered to everyone waiting at once (the last window); the first to accept gets it."""

    due_at: datetime
    open: bool = False


class OfferLapsed(_Payload, frozen=True, tag=MailKind.OFFER_LAPSED.value):
    """The offer was not answered in time: back on the waitlist, last in line."""

    waitlist_position: int


class OfferGone(_Payload, frozen=True, tag=MailKind.OFFER_GONE.value):
    """An open offer's seat went to someone who answered first; still on the waitlist."""

    waitlist_position: int


class OfferDeclined(_Payload, frozen=True, tag=MailKind.OFFER_DECLINED.value):
    """The registrant declined the offered seat and so left the waitlist."""


class TransferredIn(_WithInvites, frozen=True, kw_only=True, tag=MailKind.TRANSFERRED_IN.value):
    """To the colleague who took over a seat, with the invites and their own manage link."""

    from_name: str
    pending_approval: bool = False
    """On a course whose manager approves: the seat is held while the manager is asked."""


class TransferredOut(_WithInvites, frozen=True, kw_only=True, tag=MailKind.TRANSFERRED_OUT.value):
    """To the registrant who handed the seat on, with CANCEL invites."""

    to_name: str


Payload = (
    Confirmed
    | Waitlisted
    | Promoted
    | Cancelled
    | AlreadyRegistered
    | CourseChanged
    | CourseCancelled
    | Reminder
    | SignIn
    | AwaitingApproval
    | Approved
    | Declined
    | ApprovalExpired
    | ApprovalRequest
    | ApprovalReminder
    | ApprovalWithdrawn
    | Applied
    | FormatChanged
    | Message
    | MyRegistrations
    | Offered
    | OfferLapsed
    | OfferGone
    | OfferDeclined
    | TransferredIn
    | TransferredOut
)


def kind_of(payload: Payload) -> MailKind:
    return MailKind(str(type(payload).__struct_config__.tag))


def encode_payload(payload: Payload) -> dict[str, Any]:
    """The JSON of the `payload` column; the tag is left out, as the `kind` column holds it."""
    encoded = msgspec.to_builtins(payload)
    assert isinstance(encoded, dict)
    del encoded["kind"]
    return encoded


def decode_payload(kind: str, stored: dict[str, Any]) -> Payload:
    """The row's payload, tagged by the row's `kind`. Raises msgspec.ValidationError for a
    payload that does not fit its kind."""
    payload: Payload = msgspec.convert({**stored, "kind": kind}, Payload)
    return payload
