"""What the manager's approval page shows: who registered for what, and which of its texts
(open, approved, cancelled, expired) applies now."""

from __future__ import annotations

from dataclasses import dataclass

from courses.api.pages.views import SessionView, registration_sessions
from courses.domain.rules import RegistrationStatus
from courses.services.approval.answers import ApprovalView

__all__ = ["ApprovalPageView"]


@dataclass(frozen=True, slots=True)
class ApprovalPageView:
    path: str
    state: str
    """`open`, `approved`, `cancelled` or `expired`: which text the page shows."""
    heading: str
    lead: str
    name: str
    email: str
    employer: str
    workplace: str
    course_title: str
    course_url: str
    participation: str
    sessions: list[SessionView]
    last_day: str | None

    @classmethod
    def of(cls, view: ApprovalView, token: str) -> ApprovalPageView:
        course = view.course
        fmt = view.format
        state, heading, lead = _state(view)
        return cls(
            path=f"/godkann/{token}",
            state=state,
            heading=heading,
            lead=lead,
            name=view.name,
            email=view.email,
            employer=view.employer,
            workplace=view.workplace,
            course_title=course.title,
            course_url=f"/kurser/{course.slug}",
            participation=(
                "Digitalt"
                if fmt is not None and fmt.digital
                else f"På plats{f' i {fmt.place}' if fmt and fmt.place else ''}"
            ),
            sessions=registration_sessions(course, fmt),
            last_day=view.last_day,
        )


def _state(view: ApprovalView) -> tuple[str, str, str]:
    who = view.name
    if view.course_cancelled and view.status is not RegistrationStatus.CANCELLED:
        return (
            "cancelled",
            "Kursen är inställd",
            f"{view.course.title} blir inte av, så anmälan av {who} behöver inget svar.",
        )
    if view.open:
        return (
            "open",
            "Godkänn anmälan",
            f"{who} har anmält sig till {view.course.title} och har angett dig som chef.",
        )
    if view.status is RegistrationStatus.CONFIRMED:
        return (
            "approved",
            "Anmälan är godkänd",
            f"{who} har fått ett mejl om att platsen är bekräftad, med kalenderinbjudan.",
        )
    if view.status is RegistrationStatus.PENDING_APPROVAL:
        return (
            "expired",
            "Tiden för att svara har gått ut",
            f"Anmälan av {who} tas bort och platsen går till nästa på reservlistan.",
        )
    if view.withdrawn:
        return (
            "cancelled",
            "Anmälan är inte längre aktuell",
            f"{who} är avanmäld från kursen, så anmälan behöver inte längre ditt godkännande.",
        )
    return (
        "cancelled",
        "Anmälan är inte längre aktuell",
        f"Anmälan av {who} är avslagen eller avanmäld. {who} har fått besked om det.",
    )
