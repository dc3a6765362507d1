"""How the public pages word a course: its state (open, full, closed ...), its seats and its
formats, and the catalogue's months.

The refusals themselves (closed, not yet open, cancelled) are the domain's sentences, so a page
and the API never explain the same thing in two ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.errors import DomainError
from courses.domain.rules import (
    RegistrationState,
    check_registration_open,
    swedish_date,
    swedish_month,
)

__all__ = [
    "StateView",
    "format_label",
    "month_label",
    "seats_left",
    "seats_phrase",
    "short_date",
    "state_view",
]


def month_label(year: int, month: int) -> str:
    return f"{swedish_month(month)} {year}"


def short_date(day: date, *, today: date) -> str:
    """`1 juni`, with the year only when it is not this year's."""
    if day.year == today.year:
        return f"{day.day} {swedish_month(day.month)}"
    return swedish_date(day)


def format_label(fmt: FormatRecord) -> str:
    """A choice in the form: `Digitalt` or `På plats i Ljungby`."""
    if fmt.digital:
        return "Digitalt"
    return f"På plats i {fmt.place}" if fmt.place else "På plats"


def seats_phrase(left: int) -> str:
    return "1 plats kvar" if left == 1 else f"{left} platser kvar"


def seats_left(course: CourseRecord) -> int | None:
    """Free seats in the whole course, counting the formats' own caps; None when uncapped."""
    left = course.seats_left
    per_format = [f.seats_left for f in course.formats]
    if per_format and all(n is not None for n in per_format):
        in_formats = sum(n for n in per_format if n is not None)
        left = in_formats if left is None else min(left, in_formats)
    return left


@dataclass(frozen=True, slots=True)
class StateView:
    """What a visitor can do with a course now, as a short label and a sentence."""

    code: str
    """`open`, `waitlist`, `full`, `closed`, `not_yet_open` or `cancelled` (a CSS class too)."""
    label: str
    explanation: str
    can_register: bool


def state_view(
    course: CourseRecord, state: RegistrationState, *, now: datetime, tz: ZoneInfo
) -> StateView:
    today = now.astimezone(tz).date()
    if state is RegistrationState.OPEN:
        left = seats_left(course)
        label = "Öppen för anmälan" if left is None else seats_phrase(left)
        return StateView("open", label, "", can_register=True)
    if state is RegistrationState.WAITLIST:
        return StateView(
            "waitlist",
            "Fullbokad – reservlista",
            "Alla platser är tagna, men du kan anmäla dig till reservlistan. Får någon förhinder "
            "går platsen till den som står först i kön, och du får ett mejl om du får en plats.",
            can_register=True,
        )
    reason = _refusal(course, now=now, tz=tz)
    if state is RegistrationState.NOT_YET_OPEN:
        assert course.opens is not None
        label = f"Öppnar {short_date(course.opens, today=today)}"
        return StateView("not_yet_open", label, reason, can_register=False)
    if state is RegistrationState.CANCELLED:
        return StateView("cancelled", "Inställd", reason, can_register=False)
    if reason:
        return StateView("closed", "Anmälan stängd", reason, can_register=False)
    return StateView(
        "full",
        "Fullbokad",
        "Alla platser är tagna och kursen har ingen reservlista, så det går inte att anmäla "
        "sig längre.",
        can_register=False,
    )


def _refusal(course: CourseRecord, *, now: datetime, tz: ZoneInfo) -> str:
    """The domain's own reason why registering is refused now; empty when only seats are."""
    try:
        check_registration_open(course.timing, now=now, tz=tz)
    except DomainError as exc:
        return exc.detail
    return ""
