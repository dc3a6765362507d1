"""Moving a course in the calendar: its days shifted together, and the slug of the copy.

A course's dates are local calendar days (the times of day stay as written, whatever the
daylight-saving offset of the new day), so a shift is plain day arithmetic. Whole weeks keep
every weekday: a Tuesday course stays on Tuesdays, 52 weeks being the year that does so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

__all__ = [
    "DEFAULT_WEEKS",
    "MAX_WEEKS",
    "copy_slugs",
    "shift_day",
    "years_in",
]

DEFAULT_WEEKS = 52
"""A year forward with the weekdays kept (364 days)."""
MAX_WEEKS = 104
SLUG_MAX_LENGTH = 100
_DAYS_PER_YEAR = 365.2425
# A slug's trailing year, with the counter a copy of it may have got (`kurs-2023-2`).
_TRAILING_YEAR = re.compile(r"^(?P<base>.*?)-(?P<year>(?:19|20|21)\d\d)(?:-\d+)?$")
_COPY_SUFFIX = re.compile(r"^(?P<base>.*?)-kopia(?:-\d+)?$")


def shift_day(day: date, days: int) -> date:
    """`day` moved `days` days (7 × the weeks; negative moves back)."""
    return day + timedelta(days=days)


def years_in(days: int) -> int:
    """The whole years a shift of `days` amounts to, as a slug's year counts them.

    Rounded, so that 52 weeks (364 days) is one year and 26 weeks is none: the copy of a
    course moved half a year keeps its year in the slug (and so gets a counter instead).
    """
    return round(days / _DAYS_PER_YEAR)


def copy_slugs(slug: str, years: int) -> Iterator[str]:
    """The slugs a copy of `slug` moved `years` years may take, best first; endless.

    A trailing year is moved (`asi-grund-2022` → `asi-grund-2023`, then `asi-grund-2023-2`,
    `-3` …, as is a copy's counter: `asi-grund-2022-2` → `asi-grund-2023`); a slug without a
    year (or one not moved) gets `-kopia`, then `-kopia-2` …. Every one fits a slug's length.
    """
    found = _TRAILING_YEAR.match(slug)
    if found is not None and years != 0:
        first = f"{found['base']}-{int(found['year']) + years}"
    elif found is not None:
        first = f"{found['base']}-{found['year']}"
    else:
        copied = _COPY_SUFFIX.match(slug)
        first = f"{copied['base'] if copied else slug}-kopia"
    yield _fit(first, "")
    counter = 2
    while True:
        yield _fit(first, f"-{counter}")
        counter += 1


def _fit(base: str, suffix: str) -> str:
    """`base + suffix`, `base` cut short (at a dash where it can) to fit the slug's length."""
    room = SLUG_MAX_LENGTH - len(suffix)
    if len(base) > room:
        base = base[:room].rstrip("-")
    return base + suffix
