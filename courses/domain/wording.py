"""How dates, times and places are written for people: Swedish, as the source page writes them."""

from __future__ import annotations

from datetime import date, time

from courses.domain.rules import swedish_date

__all__ = [
    "APPROVAL_NEEDED",
    "describe_session",
    "one_line",
    "swedish_time",
    "swedish_weekday",
]

APPROVAL_NEEDED = "Kräver chefens godkännande"
"""What a course card and page say of a course whose manager approves each registration."""

_WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def swedish_weekday(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def swedish_time(moment: time) -> str:
    """`09.00`: Swedish writes the time with a dot."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def describe_session(day: date, start: time | None, end: time | None) -> str:
    """`onsdag 14 september 2022 kl. 09.00–16.00`, or `... (heldag)` without times."""
    when = f"{swedish_weekday(day)} {swedish_date(day)}"
    if start is None:
        return f"{when} (heldag)"
    if end is None:
        return f"{when} kl. {swedish_time(start)}"
    return f"{when} kl. {swedish_time(start)}–{swedish_time(end)}"


def one_line(text: str) -> str:
    """`text` on one line: CR, LF and every other control character become single spaces.

    What a registrant or a schedule file wrote goes through this before it reaches a mail
    header or a calendar property, so it can never start a header or a property of its own.
    """
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())
