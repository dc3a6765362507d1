"""Request and response bodies of the admins' API (`/api/admin/...`), as msgspec Structs.

Partial updates leave a field out (UNSET) to keep it, or send `null` to clear an optional one.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from courses.api.public.schemas import CourseOut, StatusName
from courses.domain.employers import EmployerKind
from courses.schedule.spec import Description, Domain
from courses.validation import Checked, Email, Key, Message, NonEmpty, PositiveInt, Url

__all__ = [
    "AuditEntryOut",
    "CoursePatch",
    "CourseStatsOut",
    "CourseUpdateOut",
    "EmployerAdminOut",
    "EmployerIn",
    "EmployerPatch",
    "EmployerStatsOut",
    "ImportItemOut",
    "ImportReportOut",
    "LeaderIn",
    "MailOut",
    "MoveIn",
    "RegistrationActionOut",
    "SessionPatch",
    "StatsOut",
]


class _In(msgspec.Struct, Checked, forbid_unknown_fields=True, kw_only=True):
    pass


class LeaderIn(_In):
    name: NonEmpty
    email: Email | None = None


Domains = Annotated[list[Domain], msgspec.Meta(min_length=1, max_length=50)]


class CoursePatch(_In):
    """Fields to change; `status: "cancelled"` cancels the course (and mails everyone),
    `formats` sets format caps by key (`null`: no cap)."""

    title: NonEmpty | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    leaders: list[LeaderIn] | UnsetType = UNSET
    deadline: date | UnsetType = UNSET
    opens: date | UnsetType | None = UNSET
    seats: PositiveInt | UnsetType | None = UNSET
    waitlist: bool | UnsetType = UNSET
    info_url: Url | UnsetType | None = UNSET
    status: Literal["published", "cancelled"] | UnsetType = UNSET
    formats: dict[Key, PositiveInt | None] | UnsetType = UNSET
    reason: Message | UnsetType = UNSET
    """With `status: "cancelled"`: why, quoted in the mail to everyone concerned."""


class MoveIn(_In):
    """The format to move a registration to, by its key."""

    format: Key


class SessionPatch(_In):
    """A session's new date, times (both or neither: all day) or place."""

    date: date | UnsetType = UNSET
    start: time | UnsetType | None = UNSET
    end: time | UnsetType | None = UNSET
    place: NonEmpty | UnsetType | None = UNSET


class EmployerIn(_In):
    key: Key
    name: NonEmpty
    kind: Literal["municipality", "region"]
    domains: Domains
    organizer: Key | None = None
    """The organizer's key; may be left out by an admin of one organizer."""


class EmployerPatch(_In):
    name: NonEmpty | UnsetType = UNSET
    kind: Literal["municipality", "region"] | UnsetType = UNSET
    domains: Domains | UnsetType = UNSET
    retired: bool | UnsetType = UNSET
    """true retires the employer (no new registrations; history kept), false brings it back."""


class EmployerAdminOut(msgspec.Struct, kw_only=True):
    key: str
    name: str
    kind: EmployerKind
    domains: list[str]
    retired: bool
    """Retired: no new registrations; its registrations and statistics stay."""


class CourseUpdateOut(msgspec.Struct, kw_only=True):
    course: CourseOut
    changes: list[str]
    """What changed, in Swedish; empty when nothing did."""
    notified: int
    promoted: list[int]
    """Ids of the registrations moved up from the waitlist."""


class ImportItemOut(msgspec.Struct, kw_only=True):
    kind: Literal["organizer", "employer", "course"]
    key: str
    action: Literal["created", "changed", "unchanged"]
    changes: list[str]


class ImportReportOut(msgspec.Struct, kw_only=True):
    items: list[ImportItemOut]
    promoted: int
    notified: int
    dry_run: bool
    changed: bool


class RegistrationActionOut(msgspec.Struct, kw_only=True):
    id: int
    course: str
    status: StatusName
    promoted: list[int]


class MailOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    recipient: str
    status: Literal["pending", "sending", "sent", "failed"]
    attempts: int
    last_error: str | None
    created_at: datetime
    available_at: datetime
    course: str | None


class _CountsOut(msgspec.Struct, kw_only=True):
    registered: int
    confirmed: int
    pending_approval: int
    """Holding a seat while the manager has not answered."""
    applied: int
    """Applications to a lottery not drawn yet."""
    held: int
    """Seats taken: confirmed + pending_approval + offered."""
    offered: int
    """Holding a seat offered from the waitlist until they answer or the offer runs out."""
    waitlisted: int
    cancelled: int
    transferred: int
    """Handed their seat on to a colleague (whose registration is counted on its own); not
    counted as cancelled."""
    attended: int


class DrawOut(msgspec.Struct, kw_only=True):
    """A lottery course's draw: when, with which seed, and how the seats went."""

    drawn_at: datetime
    seed: int
    applications: int
    seated: int
    waitlisted: int


class CourseStatsOut(_CountsOut, kw_only=True):
    slug: str
    title: str
    status: str
    seats: int | None
    seats_left: int | None
    per_employer: int | None = None
    """Fair seats: at most this many held seats per employer ..."""
    share_until: date | None = None
    """... through this day (the deadline unless the schedule says otherwise)."""
    draw: DrawOut | None = None
    """Set for a lottery course once it is drawn."""


class EmployerStatsOut(_CountsOut, kw_only=True):
    key: str
    name: str
    kind: str


class StatsOut(msgspec.Struct, kw_only=True):
    courses: list[CourseStatsOut]
    employers: list[EmployerStatsOut]


class AuditEntryOut(msgspec.Struct, kw_only=True):
    id: int
    at: datetime
    actor: str
    action: str
    course: str | None
    summary: str
    details: dict[str, object]
