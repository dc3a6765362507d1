"""Response bodies of the registrant's API (`/api/registrations/{token}`), as msgspec Structs:
their registration, with the course it is for in brief."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from courses.api.public.schemas import LeaderOut, SessionOut
from courses.domain.courses import FormatKind
from courses.domain.rules import RegistrationState, RegistrationStatus

__all__ = ["CourseSummaryOut", "RegistrationFormatOut", "RegistrationOut"]


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


class RegistrationOut(msgspec.Struct, kw_only=True):
    id: int
    status: RegistrationStatus
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
