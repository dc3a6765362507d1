"""A course as every layer above storage sees it: its formats, its sessions, its counters.

Plain frozen dataclasses (standard library only): storage loads them, the services decide with
them, the calendar, the mails and the API show them. A session has this one shape from the
table to the mail; a session removed by a change keeps it too (without a place).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypedDict
from zoneinfo import ZoneInfo

from courses.domain.fair_seats import Share, share_of
from courses.domain.rules import CourseStatus, CourseTiming, RegistrationState, RegistrationStatus
from courses.domain.rules import registration_state as state_of
from courses.domain.rules import seats_left as free_seats
from courses.domain.timing import SessionTime

__all__ = ["CourseRecord", "FormatKind", "FormatRecord", "Leader", "Registrant", "SessionRecord"]


class FormatKind(StrEnum):
    DIGITAL = "digital"
    ON_SITE = "on_site"


class _LeaderRequired(TypedDict):
    name: str


class Leader(_LeaderRequired, total=False):
    """A course leader as the schedule file gives one; the email is optional."""

    email: str


@dataclass(frozen=True, slots=True)
class FormatRecord:
    id: int
    key: str
    kind: FormatKind
    place: str | None
    seats: int | None
    meeting_url: str | None
    confirmed_count: int

    @property
    def seats_left(self) -> int | None:
        return free_seats(self.seats, self.confirmed_count)

    @property
    def digital(self) -> bool:
        return self.kind == FormatKind.DIGITAL


@dataclass(frozen=True, slots=True)
class SessionRecord:
    position: int
    day: date
    start_time: time | None
    end_time: time | None
    place: str | None = None

    @property
    def time(self) -> SessionTime:
        return SessionTime(self.day, self.start_time, self.end_time)

    def where(self, fmt: FormatRecord | None) -> str | None:
        """Where someone in `fmt` attends: the meeting link for digital, else the place.

        The link is for the digital format's registrants only; None when nothing is known.
        """
        if fmt is None:
            return self.place
        if fmt.digital:
            return fmt.meeting_url
        return self.place or fmt.place


@dataclass(frozen=True, slots=True)
class CourseRecord:
    id: int
    slug: str
    title: str
    description: str | None
    leaders: list[Leader]
    deadline: date
    opens: date | None
    seats: int | None
    waitlist: bool
    info_url: str | None
    status: CourseStatus
    confirmed_count: int
    revision: int
    calendar_sequence: int
    formats: Sequence[FormatRecord]
    sessions: Sequence[SessionRecord]
    organizer_id: int = 0
    approval_days: int | None = None
    """Days the registrant's manager has to approve (`approval = "manager"`); None: no
    approval is asked (courses.domain.approval)."""

    @property
    def needs_approval(self) -> bool:
        return self.approval_days is not None

    allocation: str = "first_come"
    """`first_come` or `lottery` (`courses.domain.lottery.Allocation`)."""
    draw_on: date | None = None
    drawn_at: datetime | None = None

    @property
    def lottery_pending(self) -> bool:
        """A lottery course not yet drawn: registering is applying (no seat is taken)."""
        return self.allocation == "lottery" and self.drawn_at is None

    per_employer: int | None = None
    share_until: date | None = None
    offer_hours: int = 0
    """Hours a freed seat is held for the first person waiting (0: promoted at once);
    `courses.domain.offers`."""
    offer_until_hours: int = 24
    """The last window before the first session, in which a freed seat goes to whoever of
    those waiting accepts first."""

    @property
    def share(self) -> Share | None:
        """Fair seats (`courses.domain.fair_seats`), whether or not the share still applies."""
        return share_of(self.per_employer, self.share_until, self.deadline)

    @property
    def timing(self) -> CourseTiming:
        return CourseTiming(
            status=self.status,
            deadline=self.deadline,
            opens=self.opens,
            sessions=[s.time for s in self.sessions],
        )

    @property
    def seats_left(self) -> int | None:
        return free_seats(self.seats, self.confirmed_count)

    @property
    def session_positions(self) -> list[int]:
        return sorted(s.position for s in self.sessions)

    def format_by_key(self, key: str) -> FormatRecord:
        return next(f for f in self.formats if f.key == key)

    def format_by_id(self, format_id: int | None) -> FormatRecord | None:
        return next((f for f in self.formats if f.id == format_id), None)

    def has_room(self, fmt: FormatRecord | None = None) -> bool:
        def room(left: int | None) -> bool:
            return left is None or left > 0

        if not room(self.seats_left):
            return False
        formats = [fmt] if fmt is not None else self.formats
        return any(room(f.seats_left) for f in formats)

    def state(self, *, now: datetime, tz: ZoneInfo) -> RegistrationState:
        return state_of(
            self.timing, has_room=self.has_room(), waitlist=self.waitlist, now=now, tz=tz
        )


@dataclass(frozen=True, slots=True)
class Registrant:
    """A registration as the mails and calendars show it to its registrant."""

    id: int
    name: str
    email: str
    status: RegistrationStatus
    workplace: str
    employer: str
    format: FormatRecord | None
    manage_url: str | None
