"""What the registrant's own page says that no other page does: while their manager has not
answered yet (or no longer will), while their application waits for a lottery's draw, and the
hours on their certificate."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from courses.domain.approval import waiting_text
from courses.domain.courses import CourseRecord
from courses.domain.lottery import default_draw_day, draw_words
from courses.services.registration.lookup import RegistrationDetails

__all__ = [
    "applied_heading",
    "applied_steps",
    "ended_heading",
    "pending_heading",
    "pending_steps",
    "swedish_hours",
]


def pending_heading(details: RegistrationDetails, tz: ZoneInfo) -> tuple[str, str]:
    """`Väntar på chefens godkännande till och med 9 september 2022`, and the held seat."""
    title = details.course.title
    due = details.approval_due_at
    heading = waiting_text(due, tz) if due is not None else "Väntar på chefens godkännande"
    return heading, f"Din plats på {title} är reserverad tills din chef har svarat."


def pending_steps(details: RegistrationDetails) -> list[str]:
    manager = details.manager_email or "din chef"
    return [
        f"Vi har mejlat {manager} och bett om ett godkännande. Du får ett mejl till "
        f"{details.email} med beskedet.",
        "Godkänner din chef anmälan får du en bekräftelse med kursdagarna som "
        "kalenderinbjudningar. Avslår chefen, eller svarar inte i tid, tas anmälan bort och "
        "platsen går till nästa på reservlistan.",
        "Spara mejlet: länken i det leder hit om du behöver avanmäla dig.",
    ]


def ended_heading(details: RegistrationDetails) -> tuple[str, str] | None:
    """A registration the manager declined, or did not answer in time; None otherwise."""
    title = details.course.title
    if details.approval_ending == "declined":
        return "Din chef har avslagit anmälan", f"Du är inte anmäld till {title}."
    if details.approval_ending == "approval_expired":
        return (
            "Anmälan har tagits bort",
            f"Din chef svarade inte i tid, så du är inte anmäld till {title}.",
        )
    return None


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


def swedish_hours(hours: float | None) -> str:
    """`6 timmar`, `6,5 timmar`; empty when not known (all-day sessions)."""
    if hours is None:
        return ""
    whole = round(hours * 2) / 2
    number = f"{whole:g}".replace(".", ",")
    return f"{number} timme" if whole == 1 else f"{number} timmar"
