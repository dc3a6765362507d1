"""Request and response bodies of the public API, as msgspec Structs: a course as everyone sees
it, an employer, and the answer to registering. The other audiences' bodies build on these."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

import msgspec

from courses.domain.courses import FormatKind
from courses.domain.employers import EmployerKind
from courses.domain.rules import RegistrationState

__all__ = [
    "REGISTRATION_EXAMPLE",
    "CourseOut",
    "CreatedStatus",
    "EmployerOut",
    "FormatOut",
    "LeaderOut",
    "RegistrationCreated",
    "SessionOut",
    "StatusName",
]

REGISTRATION_EXAMPLE = {
    "name": "Anna Andersson",
    "email": "anna.andersson@vaxjo.se",
    "employer": "vaxjo",
    "workplace": "Beroendemottagningen",
    "works_in_field": True,
}
"""The example body of the OpenAPI document (a Växjö employee, as in the README)."""


class LeaderOut(msgspec.Struct, kw_only=True):
    name: str
    email: str | None = None


class FormatOut(msgspec.Struct, kw_only=True):
    key: str
    kind: FormatKind
    place: str | None
    seats: int | None
    seats_left: int | None


class SessionOut(msgspec.Struct, kw_only=True):
    date: date
    start: time | None
    end: time | None
    all_day: bool
    place: str | None
    starts_at: datetime
    ends_at: datetime


class CourseOut(msgspec.Struct, kw_only=True):
    slug: str
    title: str
    description: str | None
    leaders: list[LeaderOut]
    formats: list[FormatOut]
    sessions: list[SessionOut]
    deadline: date
    opens: date | None
    registration_closes_at: datetime
    seats: int | None
    seats_left: int | None
    waitlist: bool
    state: RegistrationState
    info_url: str | None
    approval_days: int | None = None
    """Set where the registrant's manager approves each registration (then `manager_email`
    is required when registering): the days the manager has to answer."""
    per_employer: int | None = None
    """Fair seats: at most this many seats per employer until `share_until` (inclusive)."""
    share_until: date | None = None
    offer_hours: int = 0
    """Hours a seat that frees up is held for the first person waiting, who is sent an offer
    to accept or decline; 0: the first person waiting is moved up at once."""
    offer_until_hours: int = 24
    """The last window before the first session, in hours: a seat that frees up in it is
    offered to everyone waiting at once, and the first to accept gets it (only with
    `offer_hours` over 0)."""


class EmployerOut(msgspec.Struct, kw_only=True):
    key: str
    name: str
    kind: EmployerKind
    domains: list[str]


CreatedStatus = Literal["confirmed", "waitlisted", "pending_approval", "applied"]
"""What registering answers: a seat, a place on the waitlist, a seat held until the manager
approves, or an application to a lottery not yet drawn."""

StatusName = Literal[
    "confirmed",
    "waitlisted",
    "pending_approval",
    "applied",
    "offered",
    "cancelled",
    "transferred",
]
"""Every status a registration can have (`courses.domain.rules.RegistrationStatus`)."""


class RegistrationCreated(msgspec.Struct, kw_only=True):
    id: int
    status: CreatedStatus
    waitlist_position: int | None
    manage_url: str
