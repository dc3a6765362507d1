"""Swedish public holidays and days off, named, for the days a course is moved to.

From the `holidays` package's Sweden calendar (kept up to date by its maintainers, moving
feasts such as Easter and Midsummer included) rather than a hand-written table: its public
holidays ("röda dagar") and its de facto days off (midsommarafton, julafton, nyårsafton, the
three the admins named). Plain Sundays, which that calendar also counts as holidays, are left
out, as are the "optional" eves: påskafton and pingstafton always fall on a Saturday, which a
course moved by whole weeks only lands on if it was held on one already.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays

__all__ = ["days_off"]

_CATEGORIES = (holidays.PUBLIC, holidays.DE_FACTO)


def days_off(days: Iterable[date]) -> dict[date, str]:
    """Those of `days` that are a Swedish public holiday or day off, with its Swedish name
    (`Midsommarafton`, `Juldagen`); days that are neither are left out."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    calendar = holidays.country_holidays(
        "SE",
        years=range(wanted[0].year, wanted[-1].year + 1),
        categories=_CATEGORIES,
        language="sv",
        include_sundays=False,
    )
    return {day: name for day in wanted if (name := calendar.get(day)) is not None}
