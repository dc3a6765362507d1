"""What the offer page (`/anmalan/{token}/erbjudande`) shows: the seat offered, until when,
what each answer leads to, and, once it can no longer be answered, why and where the
registrant stands now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from courses.api.pages.registrant.offer_wording import accept_means, due_text
from courses.api.pages.views import SessionView, registration_sessions
from courses.domain.offers import OfferOutcome
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.registration.lookup import RegistrationDetails

__all__ = ["OfferPageView"]

_WAITING = (RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)


@dataclass(frozen=True, slots=True)
class OfferPageView:
    path: str
    manage_path: str
    state: str
    """`held`, `open` (both answerable), `accepted`, `pending`, `declined`, `lapsed`, `gone`,
    `begun`, `cancelled` or `none`: which texts the page shows."""
    panel: str
    """The colour of the page's panel: `confirmed`, `waitlisted` or `cancelled`."""
    heading: str
    lead: str
    course_title: str
    course_url: str
    sessions: list[SessionView]
    paragraphs: list[str] = field(default_factory=list)
    accept: str = ""
    """While answerable: what taking the seat leads to."""
    decline: str = ""
    """While answerable: what declining leads to."""
    calendar_url: str | None = None

    @property
    def answerable(self) -> bool:
        return self.state in ("held", "open")

    @classmethod
    def of(
        cls, details: RegistrationDetails, token: str, *, now: datetime, tz: ZoneInfo
    ) -> OfferPageView:
        manage = f"/anmalan/{token}"
        state, panel, heading, lead, paragraphs = _state(details, now=now, tz=tz)
        answerable = state in ("held", "open")
        return cls(
            path=f"{manage}/erbjudande",
            manage_path=manage,
            state=state,
            panel=panel,
            heading=heading,
            lead=lead,
            course_title=details.course.title,
            course_url=f"/kurser/{details.course.slug}",
            sessions=registration_sessions(details.course, details.format),
            paragraphs=paragraphs,
            accept=accept_means(details) if answerable else "",
            decline=_decline_means(state),
            calendar_url=(
                f"/api/registrations/{token}/invite.ics"
                if details.status is RegistrationStatus.CONFIRMED
                else None
            ),
        )


def _decline_means(state: str) -> str:
    if state == "held":
        return (
            "Tackar du nej tas du bort från reservlistan, och platsen går till nästa person på "
            "den. Svarar du inte i tid går platsen vidare och du hamnar sist på reservlistan."
        )
    if state == "open":
        return (
            "Tackar du nej tas du bort från reservlistan. Svarar du inte står du kvar på "
            "reservlistan, men platsen går till den som tackar ja först."
        )
    return ""


_State = tuple[str, str, str, str, list[str]]


def _state(details: RegistrationDetails, *, now: datetime, tz: ZoneInfo) -> _State:
    title = details.course.title
    offer = details.offer
    status = details.status
    place = _place(details)
    if details.course.status is CourseStatus.CANCELLED:
        lead = f"{title} blir inte av, så det finns ingen plats att ta emot."
        return "cancelled", "cancelled", "Kursen är inställd", lead, []
    if offer is None:
        return "none", _panel(details), "Du har inget erbjudande att svara på", _now(details), []
    if offer.answerable and offer.due_at is not None:
        due = due_text(offer.due_at, tz)
        if offer.open:
            lead = (
                f"En plats på {title} har blivit ledig, och alla på reservlistan har fått "
                f"erbjudandet. Den som tackar ja först får platsen. Erbjudandet gäller till {due}."
            )
            return "open", "waitlisted", "En plats har blivit ledig", lead, []
        lead = f"En plats på {title} har blivit ledig och är reserverad åt dig. Svara senast {due}."
        return "held", "confirmed", "En plats är reserverad åt dig", lead, []
    if offer.outcome is OfferOutcome.ACCEPTED and status is RegistrationStatus.CONFIRMED:
        lead = f"Du har tackat ja och har en plats på {title}."
        steps = [
            f"Du får en bekräftelse till {details.email} med kursdagarna som kalenderinbjudningar."
        ]
        return "accepted", "confirmed", "Platsen är din", lead, steps
    if offer.outcome is OfferOutcome.ACCEPTED and status is RegistrationStatus.PENDING_APPROVAL:
        manager = details.manager_email or "din chef"
        lead = f"Din plats på {title} är reserverad tills din chef har svarat."
        steps = [f"Vi har bett {manager} att godkänna anmälan. Du får ett mejl med beskedet."]
        return "pending", "confirmed", "Du har tackat ja", lead, steps
    if offer.outcome is OfferOutcome.DECLINED:
        lead = f"Du tackade nej till platsen på {title} och står inte längre på reservlistan."
        return "declined", "cancelled", "Du har tackat nej", lead, []
    if status not in _WAITING:
        return "none", _panel(details), "Erbjudandet gäller inte längre", _now(details), []
    if details.course.timing.has_started(now, tz):
        lead = f"{title} har redan börjat, så erbjudandet gäller inte längre."
        return "begun", "cancelled", "Kursen har börjat", lead, []
    if offer.outcome is OfferOutcome.GONE:
        lead = f"Någon annan på reservlistan hann tacka ja före dig. {_place(details, still=True)}"
        after = ["Blir en plats ledig igen får du ett nytt erbjudande."]
        return "gone", "waitlisted", "Platsen gick till någon annan", lead, after
    due = f" {due_text(offer.due_at, tz)}" if offer.due_at else ""
    if status is RegistrationStatus.OFFERED:
        # Past its time, and the worker has not yet let it lapse (it will, in its next round).
        lead = (
            f"Tiden för att svara gick ut{due}, så platsen går vidare till nästa på "
            "reservlistan. Du flyttas sist på reservlistan och får ett mejl om din plats."
        )
        return "lapsed", "waitlisted", "Tiden gick ut", lead, []
    lead = (
        f"Tiden för att svara gick ut{due}, så platsen gick vidare till nästa på reservlistan. "
        f"{place}"
    )
    after = ["Blir en plats ledig igen får du ett nytt erbjudande."]
    return "lapsed", "waitlisted", "Tiden gick ut", lead, after


def _place(details: RegistrationDetails, *, still: bool = False) -> str:
    if details.waitlist_position is None:
        return ""
    return f"Du står{' kvar' if still else ''} på reservlistan, plats {details.waitlist_position}."


def _now(details: RegistrationDetails) -> str:
    """Where a registration without an offer to answer stands."""
    title = details.course.title
    if details.status is RegistrationStatus.CONFIRMED:
        return f"Du har redan en plats på {title}."
    if details.status is RegistrationStatus.WAITLISTED:
        return f"{_place(details)} Blir en plats ledig får du ett mejl."
    if details.status is RegistrationStatus.TRANSFERRED:
        return f"Du har lämnat över din plats på {title}."
    if details.status is RegistrationStatus.CANCELLED:
        return f"Du är inte längre anmäld till {title}."
    if details.status is RegistrationStatus.PENDING_APPROVAL:
        return f"Din plats på {title} är reserverad tills din chef har svarat."
    return f"Din ansökan till {title} är med i lottningen."


def _panel(details: RegistrationDetails) -> str:
    if details.status in (RegistrationStatus.CANCELLED, RegistrationStatus.TRANSFERRED):
        return "cancelled"
    if details.status is RegistrationStatus.WAITLISTED:
        return "waitlisted"
    return "confirmed"
