"""What the registrant's own page says about a seat offered from the waitlist and about a seat
handed to a colleague: the heading and lead while an offer waits for an answer, a note after
one ended (lapsed, gone to someone else), and the page of a registration that was handed on
or took over someone's seat. Until when an offer holds is a local time, in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from courses.api.pages.wording import swedish_moment
from courses.domain.courses import CourseRecord
from courses.domain.offers import OfferOutcome
from courses.domain.rules import RegistrationStatus
from courses.domain.wording import swedish_weekday
from courses.services.registration.lookup import RegistrationDetails

__all__ = [
    "accept_means",
    "due_text",
    "manage_heading",
    "manage_steps",
    "offer_note",
    "waiting_turn",
]


def due_text(due_at: datetime, tz: ZoneInfo) -> str:
    """`fredag 15 januari 2027 kl. 09.30`, in the organizer's time zone."""
    return f"{swedish_weekday(due_at.astimezone(tz).date())} {swedish_moment(due_at, tz)}"


def waiting_turn(course: CourseRecord) -> str:
    """How someone waiting gets a seat: at once, or offered for a while, and in the last
    hours before the course offered to everyone waiting."""
    if course.offer_hours <= 0:
        return (
            "Avanmäler sig någon flyttas du fram i kön. När det blir din tur får du platsen "
            "automatiskt och ett mejl med kursdagarna som kalenderinbjudningar. Du behöver "
            "inte göra något."
        )
    last = course.offer_until_hours
    during = "Under den sista timmen" if last == 1 else f"Under de sista {last} timmarna"
    window = (
        f" {during} före kursen erbjuds en ledig plats alla på reservlistan samtidigt, och "
        "den som tackar ja först får den."
        if last > 0
        else ""
    )
    return (
        "Avanmäler sig någon flyttas du fram i kön. När det blir din tur får du ett mejl om att "
        f"en plats är reserverad åt dig i {_hours(course.offer_hours)}: tacka ja i tid för att "
        f"få den.{window}"
    )


def _hours(n: int) -> str:
    return "en timme" if n == 1 else f"{n} timmar"


def accept_means(details: RegistrationDetails) -> str:
    """What taking the seat leads to: the confirmation, or first the manager's answer."""
    if details.course.needs_approval:
        manager = details.manager_email or "din chef"
        return (
            f"Tackar du ja ber vi {manager} att godkänna anmälan. Platsen är reserverad åt dig "
            "tills chefen har svarat, och med godkännandet får du en bekräftelse med "
            "kursdagarna som kalenderinbjudningar."
        )
    return (
        f"Tackar du ja är platsen din, och du får en bekräftelse till {details.email} med "
        "kursdagarna som kalenderinbjudningar."
    )


def manage_heading(details: RegistrationDetails, tz: ZoneInfo) -> tuple[str, str] | None:
    """The manage page's heading and lead while an offer waits for an answer, after one was
    declined, and once the seat was handed on; None where the usual ones hold."""
    title = details.course.title
    offer = details.offer
    if details.status is RegistrationStatus.TRANSFERRED:
        to = details.transferred_to or "en kollega"
        return (
            f"Du har lämnat över din plats till {to}",
            f"Du är inte längre anmäld till {title}.",
        )
    if offer is not None and offer.outcome is OfferOutcome.DECLINED:
        return (
            "Du har tackat nej",
            f"Du tackade nej till platsen på {title} och står inte längre på reservlistan.",
        )
    if offer is None or offer.due_at is None:
        return None
    due = due_text(offer.due_at, tz)
    if details.status is RegistrationStatus.OFFERED and not offer.answerable:
        # Past its time; the worker lets it lapse in its next round.
        return (
            "Tiden för att svara gick ut",
            f"Platsen på {title} var reserverad åt dig till {due}. Den går nu vidare till "
            "nästa på reservlistan, och du flyttas sist på reservlistan.",
        )
    if not offer.answerable:
        return None
    if offer.open:
        return (
            "En plats har blivit ledig",
            f"Alla på reservlistan till {title} har erbjudits platsen. Den som tackar ja "
            f"först får den; erbjudandet gäller till {due}.",
        )
    return (
        "En plats är reserverad åt dig",
        f"En plats på {title} har blivit ledig och är reserverad åt dig. Svara senast {due}.",
    )


def manage_steps(details: RegistrationDetails) -> list[str] | None:
    """What happens next, for the states `manage_heading` words; None for the usual ones."""
    offer = details.offer
    email = details.email
    if details.status is RegistrationStatus.TRANSFERRED:
        to = details.transferred_to or "Kollegan"
        return [
            f"Du får ett mejl till {email} om att platsen har gått över. Hade du kursdagarna "
            "i kalendern tas de bort när du öppnar mejlet.",
            f"{to} får ett eget mejl om platsen, med en egen länk till sin anmälan.",
        ]
    if offer is not None and offer.outcome is OfferOutcome.DECLINED:
        return [
            f"Du får ett mejl till {email} om att du har tackat nej.",
            "Vill du gå ändå kan du anmäla dig igen på kurssidan, så länge anmälan är öppen.",
        ]
    if offer is None:
        return None
    if details.status is RegistrationStatus.OFFERED and not offer.answerable:
        return [f"Du får ett mejl till {email} om din plats på reservlistan."]
    if not offer.answerable:
        return None
    if offer.open:
        return [
            accept_means(details),
            "Svarar du inte står du kvar på reservlistan. Tackar du nej tas du bort från den.",
        ]
    return [
        accept_means(details),
        "Tackar du nej tas du bort från reservlistan, och platsen går till nästa person. "
        "Svarar du inte i tid går platsen vidare och du hamnar sist på reservlistan.",
    ]


def offer_note(details: RegistrationDetails, tz: ZoneInfo) -> str:
    """On a waiting registration whose offer ended without a seat: what happened."""
    offer = details.offer
    if offer is None or details.status is not RegistrationStatus.WAITLISTED:
        return ""
    if offer.outcome is OfferOutcome.LAPSED:
        due = f" före {due_text(offer.due_at, tz)}" if offer.due_at else " i tid"
        return (
            f"Du svarade inte på erbjudandet om en plats{due}, så platsen gick vidare och du "
            "flyttades sist på reservlistan."
        )
    if offer.outcome is OfferOutcome.GONE:
        return "Platsen du erbjöds gick till någon som hann tacka ja före dig."
    return ""
