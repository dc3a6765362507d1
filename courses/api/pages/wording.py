"""How the pages write dates, places, seats and states: Swedish, as a municipal employee reads it.

The refusals themselves (closed, not yet open, cancelled) are the domain's sentences, so a page
and the API never explain the same thing in two ways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from courses.domain.courses import CourseRecord, FormatRecord, SessionRecord
from courses.domain.errors import DomainError
from courses.domain.rules import (
    RegistrationState,
    check_registration_open,
    swedish_date,
    swedish_month,
)
from courses.domain.wording import swedish_time, swedish_weekday

__all__ = [
    "StateView",
    "and_list",
    "date_list",
    "format_label",
    "month_label",
    "places",
    "seats_left",
    "seats_phrase",
    "session_day",
    "session_time",
    "short_date",
    "state_view",
    "swedish_hours",
]


def and_list(items: Sequence[str], *, word: str = "och") -> str:
    """`a`, `a och b`, `a, b och c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def month_label(year: int, month: int) -> str:
    return f"{swedish_month(month)} {year}"


def short_date(day: date, *, today: date) -> str:
    """`1 juni`, with the year only when it is not this year's."""
    if day.year == today.year:
        return f"{day.day} {swedish_month(day.month)}"
    return swedish_date(day)


def date_list(days: Sequence[date]) -> str:
    """`14 och 15 september, 10 november 2022, 4 maj 2023`: days grouped by month, the year
    written once where it changes."""
    groups = [
        (year_month, [d.day for d in group])
        for year_month, group in groupby(sorted(set(days)), key=lambda d: (d.year, d.month))
    ]
    parts = []
    for index, ((year, month), numbers) in enumerate(groups):
        text = f"{and_list([str(n) for n in numbers])} {swedish_month(month)}"
        last = index == len(groups) - 1
        if last or groups[index + 1][0][0] != year:
            text += f" {year}"
        parts.append(text)
    return ", ".join(parts)


def session_time(session: SessionRecord) -> str:
    """`kl. 09.00–16.00`, or `heldag` for a session without times."""
    if session.start_time is None:
        return "heldag"
    if session.end_time is None:
        return f"kl. {swedish_time(session.start_time)}"
    return f"kl. {swedish_time(session.start_time)}–{swedish_time(session.end_time)}"


def session_day(session: SessionRecord) -> str:
    """`tisdag 5 april 2022`."""
    return f"{swedish_weekday(session.day)} {swedish_date(session.day)}"


def places(formats: Sequence[FormatRecord], *, session_place: str | None = None) -> str:
    """Where a course (or one of its sessions) is given: `Ljungby eller digitalt`."""
    names: list[str] = []
    for fmt in formats:
        name = "digitalt" if fmt.digital else (session_place or fmt.place or "på plats")
        if name not in names:
            names.append(name)
    text = and_list(names, word="eller")
    return text[:1].upper() + text[1:]


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


def swedish_hours(hours: float | None) -> str:
    """`6 timmar`, `6,5 timmar`; empty when not known (all-day sessions)."""
    if hours is None:
        return ""
    whole = round(hours * 2) / 2
    number = f"{whole:g}".replace(".", ",")
    return f"{number} timme" if whole == 1 else f"{number} timmar"
