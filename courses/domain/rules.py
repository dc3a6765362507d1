"""Who may register for what, and when.

These functions take plain values and an explicit `now`; the services feed them from the
database and the injected clock. Swedish texts here are the ones a registrant reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

# The address rules live in courses.domain.addresses; these three were always reached here.
from courses.domain.addresses import domain_allowed, email_domain, normalize_email
from courses.domain.errors import (
    FieldError,
    InvalidInput,
    NotEligible,
    NotYetOpen,
    RegistrationClosed,
)
from courses.domain.timing import (
    SessionTime,
    registration_closes_at,
    registration_opens_at,
)

__all__ = [
    "CourseStatus",
    "CourseTiming",
    "RegistrationState",
    "RegistrationStatus",
    "check_can_cancel",
    "check_eligible",
    "check_registration_open",
    "choose_format",
    "domain_allowed",
    "email_domain",
    "normalize_email",
    "registration_state",
    "seats_left",
    "swedish_date",
    "swedish_month",
]


class CourseStatus(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    DRAFT = "draft"
    """Seen only by staff: not in the catalogue, the API's listing or a calendar, and
    registering is answered as for an unknown course. Publishing it is an edit."""


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    APPLIED = "applied"
    """An application to a lottery course, before its draw."""
    PENDING_APPROVAL = "pending_approval"
    """Holds its seat until the registrant's manager approves or declines (or time runs out)."""
    OFFERED = "offered"
    """A freed seat is held for this registrant until they answer or the offer lapses
    (`courses.domain.offers`)."""
    TRANSFERRED = "transferred"
    """The registrant handed the seat to a colleague, whose registration replaces this one."""


ACTIVE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.APPLIED,
    RegistrationStatus.PENDING_APPROVAL,
    RegistrationStatus.OFFERED,
)


class RegistrationState(StrEnum):
    """What a visitor can do with a course right now."""

    OPEN = "open"
    WAITLIST = "waitlist"
    CLOSED = "closed"
    NOT_YET_OPEN = "not_yet_open"
    CANCELLED = "cancelled"


_SWEDISH_MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]


def swedish_month(month: int) -> str:
    """`mars` for 3: Swedish month names are written in lower case."""
    return _SWEDISH_MONTHS[month - 1]


def swedish_date(day: date) -> str:
    """`20 mars 2022`, the way the source page writes dates."""
    return f"{day.day} {_SWEDISH_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True, slots=True)
class CourseTiming:
    """The parts of a course that decide when registering and cancelling are allowed."""

    status: CourseStatus
    deadline: date
    opens: date | None
    sessions: Sequence[SessionTime]

    def first_session_starts_at(self, tz: ZoneInfo) -> datetime | None:
        return min((s.starts_at(tz) for s in self.sessions), default=None)

    def has_started(self, now: datetime, tz: ZoneInfo) -> bool:
        first = self.first_session_starts_at(tz)
        return first is not None and now >= first


def check_registration_open(timing: CourseTiming, *, now: datetime, tz: ZoneInfo) -> None:
    """Refuse with a clear reason unless a registration may be made at `now`."""
    if timing.status is CourseStatus.CANCELLED:
        raise RegistrationClosed("Kursen är inställd och tar inte emot anmälningar.")
    if timing.status is CourseStatus.DRAFT:  # the services answer as for an unknown course
        raise RegistrationClosed("Kursen är inte publicerad och tar inte emot anmälningar.")
    opens_at = registration_opens_at(timing.opens, tz)
    if opens_at is not None and now < opens_at:
        assert timing.opens is not None
        raise NotYetOpen(
            f"Anmälan öppnar {swedish_date(timing.opens)}. Välkommen tillbaka då.",
        )
    if now >= registration_closes_at(timing.deadline, tz):
        raise RegistrationClosed(
            f"Sista anmälningsdag var {swedish_date(timing.deadline)}. Anmälan är stängd.",
        )
    if timing.has_started(now, tz):
        raise RegistrationClosed("Kursen har redan börjat. Anmälan är stängd.")


def registration_state(
    timing: CourseTiming,
    *,
    has_room: bool,
    waitlist: bool,
    now: datetime,
    tz: ZoneInfo,
) -> RegistrationState:
    """The state shown in listings; consistent with `check_registration_open`."""
    if timing.status is CourseStatus.CANCELLED:
        return RegistrationState.CANCELLED
    try:
        check_registration_open(timing, now=now, tz=tz)
    except NotYetOpen:
        return RegistrationState.NOT_YET_OPEN
    except RegistrationClosed:
        return RegistrationState.CLOSED
    if has_room:
        return RegistrationState.OPEN
    return RegistrationState.WAITLIST if waitlist else RegistrationState.CLOSED


def check_can_cancel(timing: CourseTiming, *, now: datetime, tz: ZoneInfo) -> None:
    """A registrant may cancel by link until the first session begins."""
    if timing.has_started(now, tz):
        raise RegistrationClosed(
            "Kursen har redan börjat, så anmälan kan inte längre avanmälas via länken. "
            "Kontakta kursledaren.",
        )


def seats_left(cap: int | None, taken: int) -> int | None:
    """Free seats under a cap; None when there is no cap. Never negative (a cap may shrink)."""
    return None if cap is None else max(cap - taken, 0)


def check_eligible(
    *,
    email: str,
    employer_name: str,
    employer_domains: Sequence[str],
    works_in_field: bool,
) -> None:
    """Employees of the county's employers who work with addiction care may register."""
    if not works_in_field:
        raise NotEligible(
            "Utbildningarna är till för dig som arbetar med missbruks- och beroendevård. "
            "Bekräfta att du gör det för att anmäla dig.",
            field="works_in_field",
        )
    if not domain_allowed(email_domain(email), employer_domains):
        listed = ", ".join(employer_domains)
        raise NotEligible(
            f"E-postadressen hör inte till {employer_name}. Använd din e-postadress i "
            f"tjänsten (som slutar på {listed}).",
            field="email",
        )


def choose_format(available: Sequence[str], requested: str | None) -> str:
    """The format key the registrant takes; it may be left out when there is only one."""
    if requested is None:
        if len(available) == 1:
            return available[0]
        choices = ", ".join(available)
        raise InvalidInput(
            "Välj hur du vill delta.",
            [FieldError("format", f"Välj ett av: {choices}.")],
        )
    if requested not in available:
        choices = ", ".join(available)
        raise InvalidInput(
            "Kursen ges inte i det formatet.",
            [FieldError("format", f"Okänt format {requested!r}. Välj ett av: {choices}.")],
        )
    return requested
