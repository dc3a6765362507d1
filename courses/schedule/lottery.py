"""A lottery course's entry in the schedule file: `allocation = "lottery"` and its `draw` day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from courses.domain.lottery import Allocation, default_draw_day
from courses.domain.rules import swedish_date
from courses.schedule.spec import CourseSpec

__all__ = ["draw_day", "draw_problems"]


def draw_day(course: CourseSpec) -> date | None:
    """The day a lottery course is drawn (stored as `draw_on`); None for first come."""
    if course.allocation != Allocation.LOTTERY.value:
        return None
    return course.draw or default_draw_day(course.deadline)


def draw_problems(course: CourseSpec, first_day: date) -> Iterator[str]:
    """What is wrong with the course's `draw` (each a Swedish sentence about that key)."""
    if course.draw is not None and course.allocation != Allocation.LOTTERY.value:
        yield 'Lottningsdag (draw) hör bara till kurser med allocation = "lottery".'
        return
    day = draw_day(course)
    if day is None:
        return
    if course.opens is not None and day <= course.opens:
        yield (
            f"Lottningen ({swedish_date(day)}) måste ligga efter dagen då anmälan öppnar "
            f"({swedish_date(course.opens)})."
        )
    if day > first_day:
        which = "Lottningen" if course.draw else "Lottningen (dagen efter sista anmälningsdag)"
        yield (
            f"{which} {swedish_date(day)} ligger efter första kursdagen "
            f"{swedish_date(first_day)}. Ange en tidigare lottningsdag (draw)."
        )
