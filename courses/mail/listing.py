"""What a mailbox's list mail (`my_registrations`) says: each registration still on, with its
sessions, how the person takes part, where it stands and its link; grouped by organizer when
the courses are more than one organizer's."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from courses.domain.lottery import default_draw_day, draw_words
from courses.domain.rules import RegistrationStatus
from courses.domain.wording import describe_session, one_line
from courses.mail.offer_content import moment_words, offer_url
from courses.services.outbox.listing import ListedRegistration, ListingFacts

__all__ = ["listing_context"]


def listing_context(facts: ListingFacts, *, tz: ZoneInfo) -> dict[str, Any]:
    """The template context; `groups` is one group per organizer, named only when several."""
    several = len(facts.organizers) > 1
    groups = [
        {
            "organizer": one_line(name) if several else None,
            "registrations": [_entry(e, tz) for e in facts.registrations if e.organizer == name],
        }
        for name in facts.organizers
    ]
    return {
        "name": one_line(facts.name),
        "email": facts.email,
        "count": len(facts.registrations),
        "groups": groups,
        "organizer": {"name": one_line(facts.organizer.name), "address": facts.organizer.address},
    }


def _entry(entry: ListedRegistration, tz: ZoneInfo) -> dict[str, Any]:
    course = entry.course
    sessions = sorted(course.sessions, key=lambda s: s.position)
    fmt = entry.format
    if fmt is None:
        taking_part = None
    elif fmt.digital:
        taking_part = "digitalt"
    else:
        taking_part = f"på plats, {fmt.place}" if fmt.place else "på plats"
    return {
        "title": one_line(course.title),
        "sessions": [describe_session(s.day, s.start_time, s.end_time) for s in sessions],
        "taking_part": taking_part,
        "status": _status(entry, tz),
        "link": entry.link,
        "offer_link": (
            offer_url(entry.link)
            if entry.link is not None and entry.offer_due_at is not None
            else None
        ),
    }


def _status(entry: ListedRegistration, tz: ZoneInfo) -> str:
    """Where the registration stands, in a few words; an offer says where to answer it (the
    entry's link: its page has the offer's buttons)."""
    status = entry.status
    if status is RegistrationStatus.CONFIRMED:
        return "Du har plats."
    if status is RegistrationStatus.OFFERED:
        if entry.offer_due_at is None:
            return "Du har erbjudits en plats, men tiden att svara har gått ut."
        until = moment_words(entry.offer_due_at, tz)
        return f"Du har erbjudits en plats, som är reserverad åt dig. Svara senast {until}."
    if status is RegistrationStatus.WAITLISTED:
        where = (
            "Du står på reservlistan."
            if entry.waitlist_position is None
            else f"Du står på reservlistan, plats {entry.waitlist_position}."
        )
        if entry.offer_open:
            where += " En plats är ledig: den som först tackar ja får den."
        return where
    if status is RegistrationStatus.PENDING_APPROVAL:
        return "Din plats väntar på din chefs godkännande."
    if status is RegistrationStatus.APPLIED:
        course = entry.course
        draw_on = course.draw_on or default_draw_day(course.deadline)
        return f"Du har ansökt om plats. Platserna lottas {draw_words(draw_on)}."
    return "Anmäld."
