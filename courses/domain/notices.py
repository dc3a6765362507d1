"""The mails a change can produce, the iTIP method of the invite a message carries, and where
a queued mail stands in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "MANAGER_KINDS",
    "MailCount",
    "MailKind",
    "MailTally",
    "Method",
    "OutboxStatus",
    "WithdrawnBy",
]


class MailKind(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CANCELLED = "cancelled"
    ALREADY_REGISTERED = "already_registered"
    COURSE_CHANGED = "course_changed"
    COURSE_CANCELLED = "course_cancelled"
    REMINDER = "reminder"
    SIGN_IN = "sign_in"
    # A lottery course's application (courses.services.seats.applications).
    APPLIED = "applied"
    # Manager approval (courses.services.approval.answers): to the registrant ...
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    DECLINED = "declined"
    APPROVAL_EXPIRED = "approval_expired"
    # ... and to the manager, with the approval link.
    APPROVAL_REQUEST = "approval_request"
    APPROVAL_REMINDER = "approval_reminder"
    # ... and, without a link, when a pending registration ends without the manager's answer
    # (the registrant or an admin cancelled it, or the course is cancelled).
    APPROVAL_WITHDRAWN = "approval_withdrawn"
    # Staff moved a registration to another format (courses.services.seats.moves).
    FORMAT_CHANGED = "format_changed"
    # A leader's or admin's own words to the course's people
    # (courses.services.attendance.messages).
    MESSAGE = "message"
    # Every active registration of one mailbox, each with its manage link, asked for on
    # /mina-anmalningar (courses.services.registration.my_registrations).
    MY_REGISTRATIONS = "my_registrations"
    # Waitlist offers (courses.services.offers): a seat offered, held until a time or open to
    # everyone waiting; the offer ran out (back on the waitlist, last in line); an open offer's
    # seat went to someone else; declined (the registration is cancelled).
    OFFERED = "offered"
    OFFER_LAPSED = "offer_lapsed"
    OFFER_GONE = "offer_gone"
    OFFER_DECLINED = "offer_declined"
    # A seat handed to a colleague (courses.services.registration.transfer): to the colleague,
    # with the invites and their own manage link, and to the giver, with CANCEL invites.
    TRANSFERRED_IN = "transferred_in"
    TRANSFERRED_OUT = "transferred_out"


MANAGER_KINDS = frozenset(
    {MailKind.APPROVAL_REQUEST, MailKind.APPROVAL_REMINDER, MailKind.APPROVAL_WITHDRAWN}
)
"""Mails that go to the registration's manager, not to the registrant."""


class WithdrawnBy(StrEnum):
    """Why a registration waiting for its manager no longer needs the answer."""

    REGISTRANT = "registrant"
    """The registrant cancelled it with their link."""
    STAFF = "staff"
    """An admin cancelled it on the registrant's behalf."""
    COURSE_CANCELLED = "course_cancelled"


class Method(StrEnum):
    """The iTIP method of the invite a message carries (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class OutboxStatus(StrEnum):
    """A queued mail's state: waiting, claimed by a worker (under a lease), sent, or given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class MailCount:
    """Outbox rows of one kind and invite method, and how many registrations they go to."""

    kind: MailKind
    method: Method | None
    messages: int
    registrations: int


@dataclass(frozen=True, slots=True)
class MailTally:
    """The outbox rows a change writes. A confirmed registrant's notice is one row (one
    message) per session invite; `people` counts the registrations told at all."""

    counts: tuple[MailCount, ...] = ()
    people: int = 0

    def find(self, kind: MailKind, method: Method | None = None) -> MailCount | None:
        return next((c for c in self.counts if c.kind is kind and c.method is method), None)

    @property
    def total(self) -> int:
        """Every message."""
        return sum(c.messages for c in self.counts)
