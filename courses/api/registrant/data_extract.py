"""`GET /api/registrations/{token}/data`: the registerutdrag as JSON for programs.

The same service as the manage page's download (courses.services.retention.data_extract);
the page's file has Swedish names for people, this has the API's English ones and its types.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import msgspec

from courses.api.registrant.mapping import registration_out
from courses.api.registrant.schemas import RegistrationOut
from courses.services.retention.data_extract import DescribedMail, RegistrationData

__all__ = ["RegistrationDataOut", "registration_data_out"]

ABOUT = (
    "Registerutdrag: allt som tjänsten har sparat om din anmälan. Länken till din anmälan "
    "sparas inte, bara ett kontrollvärde som inte går att räkna tillbaka till länken."
)


class StoredRegistrationOut(msgspec.Struct, kw_only=True):
    """The registration's stored columns that `registration` does not show."""

    email_key: str
    """The address as compared for duplicates (lower case, without a `+tag`)."""
    queue_no: int
    updated_at: datetime
    confirmed_at: datetime | None
    reminded_at: datetime | None
    resent_at: datetime | None
    manager_email: str | None = None
    """The manager who approves, on a course that asks for it."""
    approval_asked_at: datetime | None = None
    approval_due_at: datetime | None = None
    approval_reminded_at: datetime | None = None
    offered_at: datetime | None = None
    """When a seat was offered from the waitlist (the latest offer)."""
    offer_due_at: datetime | None = None
    """Until when the offer could be answered."""
    offer_outcome: Literal["accepted", "declined", "lapsed", "gone"] | None = None
    """How the offer ended (null while it is open): accepted, declined, not answered in time
    (back on the waitlist, last in line), or its seat went to someone who answered first."""
    replaces: str | None = None
    """The name of the colleague who handed this registration their seat."""
    replaced_by: str | None = None
    """The name of the colleague this registration handed its seat to."""


class EmployerRefOut(msgspec.Struct, kw_only=True):
    key: str
    name: str


class AttendanceOut(msgspec.Struct, kw_only=True):
    session: int
    """The session's position in the course, from 1."""
    attended: bool
    marked_at: datetime


class MailOut(msgspec.Struct, kw_only=True):
    kind: str
    status: Literal["pending", "sending", "sent", "failed"]
    about: str
    """What the mail said, in Swedish (its text is built when it is sent, not kept)."""
    content: list[str]
    """The facts it carried beyond the registration: a waitlist place, what changed."""
    invite: Literal["REQUEST", "CANCEL"] | None
    session: int | None
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    payload: dict[str, Any]


class RegistrationDataOut(msgspec.Struct, kw_only=True):
    about: str
    retrieved_at: datetime
    registration: RegistrationOut
    stored: StoredRegistrationOut
    employer: EmployerRefOut
    attendance: list[AttendanceOut]
    mails: list[MailOut]


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if value is None else value.astimezone(tz)


def _mail(described: DescribedMail, tz: ZoneInfo) -> MailOut:
    mail = described.stored
    return MailOut(
        kind=mail.kind,
        status=mail.status,  # type: ignore[arg-type]  # the outbox's four states
        about=described.about,
        content=described.content,
        invite=mail.method,  # type: ignore[arg-type]  # REQUEST, CANCEL or none
        session=mail.part,
        attempts=mail.attempts,
        created_at=mail.created_at.astimezone(tz),
        sent_at=_local(mail.sent_at, tz),
        last_error=mail.last_error,
        payload=mail.payload,
    )


def registration_data_out(
    data: RegistrationData, *, now: datetime, tz: ZoneInfo
) -> RegistrationDataOut:
    stored = data.stored
    return RegistrationDataOut(
        about=ABOUT,
        retrieved_at=now.astimezone(tz),
        registration=registration_out(data.details, tz),
        stored=StoredRegistrationOut(
            email_key=stored.email_key,
            queue_no=stored.queue_no,
            updated_at=stored.updated_at.astimezone(tz),
            confirmed_at=_local(stored.confirmed_at, tz),
            reminded_at=_local(stored.reminded_at, tz),
            resent_at=_local(stored.resent_at, tz),
            manager_email=stored.manager_email,
            approval_asked_at=_local(stored.approval_asked_at, tz),
            approval_due_at=_local(stored.approval_due_at, tz),
            approval_reminded_at=_local(stored.approval_reminded_at, tz),
            offered_at=_local(stored.offered_at, tz),
            offer_due_at=_local(stored.offer_due_at, tz),
            offer_outcome=stored.offer_outcome,  # type: ignore[arg-type]  # OfferOutcome's values
            replaces=stored.replaces,
            replaced_by=stored.replaced_by,
        ),
        employer=EmployerRefOut(key=data.details.employer_key, name=data.details.employer_name),
        attendance=[
            AttendanceOut(
                session=mark.session_position,
                attended=mark.attended,
                marked_at=mark.marked_at.astimezone(tz),
            )
            for mark in data.attendance
        ],
        mails=[_mail(mail, tz) for mail in data.mails],
    )
