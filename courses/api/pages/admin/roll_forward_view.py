"""What the roll-forward and copy pages show: the courses to pick, next year's copies with each
session's day and the holiday it lands on, and the form's fields read back.

The form's fields are Swedish (`kurser`, `veckor`, `forsta_dag`); the service's errors name
its own fields (`courses`, `weeks`, `first_day`) and are put next to the page's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from courses.api.pages.forms import FormState
from courses.api.pages.wording import date_list
from courses.domain.courses import CourseRecord
from courses.domain.errors import InvalidInput
from courses.domain.rules import CourseStatus, swedish_date
from courses.domain.wording import describe_session
from courses.services.schedule.roll_forward import CourseCopy

__all__ = [
    "FIELDS",
    "ChoiceLine",
    "CopyView",
    "DayLine",
    "add_errors",
    "choices",
    "read_weeks",
]

FIELDS = {"courses": "kurser", "weeks": "veckor", "first_day": "forsta_dag"}
"""The service's field names and the page's."""

_STATUS = {CourseStatus.DRAFT: "Utkast", CourseStatus.CANCELLED: "Inställd"}


@dataclass(frozen=True, slots=True)
class ChoiceLine:
    """A course to tick on `/admin/nytt-ar`."""

    slug: str
    title: str
    dates: str
    status: str
    """`Utkast`, `Inställd`, or empty for a published course."""
    checked: bool


def choices(
    courses: Sequence[CourseRecord], *, picked: Iterable[str] | None, year: int
) -> list[ChoiceLine]:
    """Every course; ticked: those `picked`, or before anything is picked, this year's."""
    chosen = set(picked) if picked is not None else None
    lines = []
    for course in courses:
        days = [s.day for s in course.sessions] or [course.deadline]
        checked = course.slug in chosen if chosen is not None else min(days).year == year
        lines.append(
            ChoiceLine(
                slug=course.slug,
                title=course.title,
                dates=date_list(days),
                status=_STATUS.get(course.status, ""),
                checked=checked,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class DayLine:
    text: str
    """`fredag 23 juni 2023 (heldag)`"""
    holiday: str | None
    """The holiday or day off it lands on: `Midsommarafton`."""


@dataclass(frozen=True, slots=True)
class CopyView:
    title: str
    source: str
    slug: str
    days: list[DayLine]
    deadline: str
    opens: str | None
    draw: str | None
    share_until: str | None
    holidays: int

    @classmethod
    def of(cls, copy: CourseCopy) -> CopyView:
        named = {h.day: h.name for h in copy.holidays}
        spec = copy.spec
        return cls(
            title=spec.title,
            source=copy.source,
            slug=copy.slug,
            days=[
                DayLine(describe_session(s.date, s.start, s.end), named.get(s.date))
                for s in spec.session
            ],
            deadline=swedish_date(spec.deadline),
            opens=_day(spec.opens),
            draw=_day(copy.draw),
            share_until=_day(spec.share_until),
            holidays=len(copy.holidays),
        )


def _day(day: date | None) -> str | None:
    return None if day is None else swedish_date(day)


def read_weeks(form: FormState, name: str = "veckor") -> int | None:
    """The weeks typed (None, with the error added, unless a whole number)."""
    typed = form.value(name).strip()
    if typed.isdigit() and len(typed) <= 4:
        return int(typed)
    form.add(name, "Ange antalet veckor som ett heltal, till exempel 52.")
    return None


def add_errors(form: FormState, refused: InvalidInput) -> None:
    """The service's field errors next to the page's fields, worded as the service words them."""
    for error in refused.errors:
        form.add(FIELDS.get(error.field, ""), error.message)
