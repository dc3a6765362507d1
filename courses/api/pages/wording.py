"""How the pages write dates, places and sessions: Swedish, as a municipal employee reads it.

Only what several audiences' pages say alike; what one audience alone says is in its own
`wording` (the public pages' states and seats, the registrant's waiting texts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from courses.domain.courses import FormatRecord, SessionRecord
from courses.domain.rules import swedish_date, swedish_month
from courses.domain.wording import swedish_time, swedish_weekday

__all__ = [
    "and_list",
    "date_list",
    "places",
    "session_day",
    "session_time",
    "swedish_moment",
]


def and_list(items: Sequence[str], *, word: str = "och") -> str:
    """`a`, `a och b`, `a, b och c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


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


def swedish_moment(moment: datetime, tz: ZoneInfo) -> str:
    """`3 juni 2026 kl. 14.05`, in the organizer's time zone."""
    local = moment.astimezone(tz)
    return f"{swedish_date(local.date())} kl. {swedish_time(local.time())}"
