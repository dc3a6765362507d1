"""What the registrant's own page shows: their place, what happens next, their details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from courses.api.pages.registrant.offer_wording import (
    manage_heading,
    manage_steps,
    offer_note,
    waiting_turn,
)
from courses.api.pages.registrant.wording import (
    applied_heading,
    applied_steps,
    ended_heading,
    pending_heading,
    pending_steps,
)
from courses.api.pages.views import LeaderView, SessionView, registration_sessions
from courses.api.pages.wording import swedish_moment
from courses.domain.errors import DomainError
from courses.domain.rules import (
    RegistrationState,
    RegistrationStatus,
    check_can_cancel,
)
from courses.schedule.demo import is_demo
from courses.services.registration.lookup import RegistrationDetails

__all__ = ["RegistrationView"]


@dataclass(frozen=True, slots=True)
class RegistrationView:
    path: str
    status: str
    heading: str
    lead: str
    next_steps: list[str]
    course_title: str
    course_url: str
    demo: bool
    sessions: list[SessionView]
    meeting_url: str | None
    details: list[tuple[str, str]]
    leaders: list[LeaderView]
    calendar_url: str | None
    data_url: str
    cancel_url: str | None
    no_cancel_reason: str
    certificate_url: str | None = None
    organizer_id: int = 0
    """The course's organizer, whose name and address the page gives."""
    panel: str = "confirmed"
    """The colour of the page's panel: `confirmed`, `waitlisted` or `cancelled`."""
    offer_url: str | None = None
    """The offer page, for a registration that was offered a seat (answered or not)."""
    offer_open: bool = False
    """The offer may be answered now: the link is the page's main button."""
    offer_note: str = ""
    """Waiting again after an offer that ended without a seat: what happened."""
    transfer_url: str | None = None
    """A confirmed seat before the course: it may be handed to a colleague."""
    took_over_from: str | None = None
    """The colleague whose seat this registration took over."""

    @classmethod
    def of(
        cls,
        details: RegistrationDetails,
        token: str,
        *,
        now: datetime,
        tz: ZoneInfo,
        reminder_days: int,
    ) -> RegistrationView:
        course = details.course
        fmt = details.format
        status = details.status
        confirmed = status is RegistrationStatus.CONFIRMED
        path = f"/anmalan/{token}"
        heading, lead = _heading(details)
        next_steps = _next_steps(details, reminder_days=reminder_days)
        if status is RegistrationStatus.PENDING_APPROVAL:
            heading, lead = pending_heading(details, tz)
            next_steps = pending_steps(details)
        elif (ended := ended_heading(details)) is not None:
            heading, lead = ended
            next_steps = next_steps[1:]  # no "you get a confirmation of your cancellation"
        elif (offered := manage_heading(details, tz)) is not None:
            heading, lead = offered
            next_steps = manage_steps(details) or next_steps
        offer = details.offer
        return cls(
            organizer_id=course.organizer_id,
            path=path,
            status=status.value,
            heading=heading,
            lead=lead,
            next_steps=next_steps,
            course_title=course.title,
            course_url=f"/kurser/{course.slug}",
            demo=is_demo(course.slug),
            sessions=registration_sessions(course, fmt),
            # The meeting link is for those with a seat in the digital format, nobody else.
            meeting_url=fmt.meeting_url if confirmed and fmt is not None and fmt.digital else None,
            details=_details(details, tz),
            leaders=[LeaderView(x["name"], x.get("email")) for x in course.leaders],
            calendar_url=f"/api/registrations/{token}/invite.ics" if confirmed else None,
            data_url=f"{path}/registerutdrag",
            cancel_url=f"{path}/avanmal" if details.can_cancel else None,
            no_cancel_reason=_no_cancel_reason(details, now=now, tz=tz),
            certificate_url=f"{path}/intyg" if details.attended_every_session else None,
            panel=_panel(details),
            offer_url=f"{path}/erbjudande" if offer is not None else None,
            offer_open=offer is not None and offer.answerable,
            offer_note=offer_note(details, tz),
            transfer_url=f"{path}/overlat" if details.can_transfer else None,
            took_over_from=details.transferred_from,
        )


def _panel(details: RegistrationDetails) -> str:
    offer = details.offer
    if details.status in (RegistrationStatus.CANCELLED, RegistrationStatus.TRANSFERRED):
        return "cancelled"
    if details.course_state is RegistrationState.CANCELLED:
        return "cancelled"
    if details.status is RegistrationStatus.WAITLISTED:
        return "waitlisted"
    if details.status is RegistrationStatus.OFFERED and not (offer and offer.answerable):
        return "waitlisted"  # past its time: going back to the waitlist
    return "confirmed"


def _heading(details: RegistrationDetails) -> tuple[str, str]:
    title = details.course.title
    if details.status is RegistrationStatus.CANCELLED:
        return "Du har avanmält dig", f"Du är inte längre anmäld till {title}."
    if details.course_state is RegistrationState.CANCELLED:
        return "Kursen är inställd", f"{title} blir inte av. Du behöver inte göra något."
    if details.status is RegistrationStatus.WAITLISTED:
        return (
            "Du står på reservlistan",
            f"Du är nummer {details.waitlist_position} i kön till {title}.",
        )
    if details.status is RegistrationStatus.APPLIED:
        return applied_heading(details.course)
    return "Du är anmäld", f"Du har en plats på {title}."


def _next_steps(details: RegistrationDetails, *, reminder_days: int) -> list[str]:
    email = details.email
    if details.status is RegistrationStatus.CANCELLED:
        return [
            f"Du får en bekräftelse på avanmälan till {email}. Hade du kursdagarna i "
            "kalendern tas de bort när du öppnar mejlet.",
            "Vill du gå ändå kan du anmäla dig igen på kurssidan, så länge anmälan är öppen.",
        ]
    if details.course_state is RegistrationState.CANCELLED:
        return [f"Du får ett mejl till {email} om att kursen är inställd."]
    if details.status is RegistrationStatus.WAITLISTED:
        return [
            *([details.share_reason] if details.share_reason else []),
            f"Du får ett mejl till {email} om att du står på reservlistan.",
            waiting_turn(details.course),
        ]
    if details.status is RegistrationStatus.APPLIED:
        return applied_steps(email, manager=details.manager_email)
    steps = [
        f"Du får en bekräftelse till {email}, med kursdagarna som kalenderinbjudningar.",
    ]
    if reminder_days:
        steps.append(f"{_days(reminder_days)} före första kursdagen får du en påminnelse.")
    steps.append("Spara mejlet: länken i det leder hit om du behöver avanmäla dig.")
    return steps


_NUMBERS = ["En", "Två", "Tre", "Fyra", "Fem", "Sex", "Sju", "Åtta", "Nio", "Tio"]


def _days(n: int) -> str:
    """`Tre dagar`: small numbers in words, as Swedish prose writes them."""
    word = _NUMBERS[n - 1] if n <= len(_NUMBERS) else str(n)
    return f"{word} {'dag' if n == 1 else 'dagar'}"


def _details(details: RegistrationDetails, tz: ZoneInfo) -> list[tuple[str, str]]:
    rows = [
        ("Namn", details.name),
        ("E-postadress", details.email),
        ("Arbetsgivare", details.employer_name),
        ("Arbetsplats", details.workplace),
    ]
    fmt = details.format
    if fmt is not None:
        # "Plats" on a line of its own: a schedule may give "Meddelas av kursledaren" as the
        # place, which reads well as a value but not inside "På plats i ...".
        rows.append(("Deltar", "Digitalt" if fmt.digital else "På plats"))
        if not fmt.digital and fmt.place:
            rows.append(("Plats", fmt.place))
    if details.phone:
        rows.append(("Telefonnummer", details.phone))
    if details.message:
        rows.append(("Meddelande", details.message))
    if details.manager_email:
        rows.append(("Chefens e-postadress", details.manager_email))
    rows.append(("Anmäld", swedish_moment(details.created_at, tz)))
    if details.cancelled_at is not None:
        label = "Överlämnad" if details.status is RegistrationStatus.TRANSFERRED else "Avanmäld"
        rows.append((label, swedish_moment(details.cancelled_at, tz)))
    return rows


def _no_cancel_reason(details: RegistrationDetails, *, now: datetime, tz: ZoneInfo) -> str:
    if details.can_cancel or details.status is RegistrationStatus.CANCELLED:
        return ""
    try:
        check_can_cancel(details.course.timing, now=now, tz=tz)
    except DomainError as exc:
        return exc.detail
    return ""
