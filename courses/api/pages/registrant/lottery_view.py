"""How the manage page words an application to a lottery course before its draw."""

from __future__ import annotations

from courses.domain.courses import CourseRecord
from courses.domain.lottery import default_draw_day, draw_words

__all__ = ["applied_heading", "applied_steps"]


def applied_heading(course: CourseRecord) -> tuple[str, str]:
    day = draw_words(course.draw_on or default_draw_day(course.deadline))
    return (
        f"Ansökan mottagen – lottning den {day}",
        f"Platserna på {course.title} lottas den {day} bland alla som har ansökt.",
    )


def applied_steps(email: str, *, manager: str | None = None) -> list[str]:
    """`manager`: on a course whose manager approves, the manager the draw will ask."""
    after = (
        "Efter lottningen får du ett mejl med besked, en plats med kursdagarna som "
        "kalenderinbjudningar, eller en plats på reservlistan."
    )
    if manager is not None:
        after = (
            f"Får du en plats i lottningen ber vi din chef ({manager}) att godkänna anmälan; "
            "platsen är reserverad åt dig tills chefen har svarat. Annars får du besked om "
            "din plats på reservlistan."
        )
    return [
        f"Du får ett mejl till {email} om att din ansökan är mottagen.",
        f"Det spelar ingen roll när du ansökte: alla ansökningar är med i lottningen. {after}",
        "Spara mejlet: länken i det leder hit om du vill ta tillbaka din ansökan.",
    ]
