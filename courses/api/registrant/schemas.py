"""Bodies of the registrant's API (`/api/registrations/{token}`), as msgspec Structs: their
registration, with the course it is for in brief and the seat offered from the waitlist; the
answer to an offer; a seat handed to a colleague."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from courses.api.public.schemas import LeaderOut, SessionOut
from courses.domain.courses import FormatKind
from courses.domain.offers import OfferOutcome
from courses.domain.rules import RegistrationState, RegistrationStatus

__all__ = [
    "CourseSummaryOut",
    "OfferAnswerIn",
    "OfferOut",
    "RegistrationFormatOut",
    "RegistrationOut",
    "TransferOut",
]


class CourseSummaryOut(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    leaders: list[LeaderOut]
    sessions: list[SessionOut]
    state: RegistrationState


class RegistrationFormatOut(msgspec.Struct, kw_only=True):
    key: str
    kind: FormatKind
    place: str | None
    meeting_url: str | None


class OfferOut(msgspec.Struct, kw_only=True):
    """A seat offered from the waitlist: answer it with `POST .../offer` while `outcome` is
    null and `due_at` has not passed."""

    due_at: datetime | None
    """Until when the offer may be answered (the organizer's time zone)."""
    open: bool
    """true: offered to everyone waiting at once (the last days before the course); the first
    to accept gets the seat. false: the seat is held for you alone until `due_at`."""
    outcome: OfferOutcome | None
    """null while unanswered; `accepted`, `declined` (you left the waitlist), `lapsed` (not
    answered in time: back on the waitlist, last in line) or `gone` (someone else accepted
    first)."""


class RegistrationOut(msgspec.Struct, kw_only=True):
    id: int
    status: RegistrationStatus
    """`confirmed`, `waitlisted`, `pending_approval` (the manager is asked), `applied` (before
    a lottery's draw), `offered` (a seat is held for you: see `offer`), `transferred` (you
    handed your seat to a colleague) or `cancelled`."""
    waitlist_position: int | None
    name: str
    email: str
    employer: str
    employer_name: str
    workplace: str
    phone: str | None
    message: str | None
    format: RegistrationFormatOut | None
    course: CourseSummaryOut
    created_at: datetime
    cancelled_at: datetime | None
    can_cancel: bool
    manager_email: str | None = None
    """The manager who approves, on a course that asks for it."""
    approval_until: date | None = None
    """While `pending_approval`: the last day the manager may answer."""
    offer: OfferOut | None = None
    """The last seat offered to you from the waitlist, and how it ended; null if none was."""
    transferred_to: str | None = None
    """`transferred`: the name of the colleague who took over your seat."""
    transferred_from: str | None = None
    """The name of the colleague whose seat you took over."""


class OfferAnswerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Your answer to the seat offered to you."""

    accept: bool
    """true: take the seat; false: decline it and leave the waitlist."""


class TransferOut(msgspec.Struct, kw_only=True):
    """A seat handed to a colleague. The colleague's own link goes only to the colleague's
    mail: it is not in this answer."""

    status: RegistrationStatus
    """The colleague's registration: `confirmed`, or `pending_approval` while the colleague's
    manager is asked."""
    name: str
    """The colleague's name."""
    registration: RegistrationOut
    """Yours, now `transferred`."""
