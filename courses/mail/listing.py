"""What a mailbox's list mail (`my_registrations`) says: each registration still on, with its
sessions, how the person takes part, where it stands and its link; grouped by organizer when
the courses are more than one organizer's."""

from __future__ import annotations

from typing import Any

from courses.domain.lottery import default_draw_day, draw_words
from courses.domain.rules import RegistrationStatus
from courses.domain.wording import describe_session, one_line
from courses.services.outbox.listing import ListedRegistration, ListingFacts

__all__ = ["listing_context"]


def listing_context(facts: ListingFacts) -> dict[str, Any]:
    """The template context; `groups` is one group per organizer, named only when several."""
    several = len(facts.organizers) > 1
    groups = [
        {
            "organizer": one_line(name) if several else None,
            "registrations": [_entry(e) for e in facts.registrations if e.organizer == name],
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


def _entry(entry: ListedRegistration) -> dict[str, Any]:
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
        "status": _status(entry),
        "link": entry.link,
    }


def _status(entry: ListedRegistration) -> str:
    """Where the registration stands, in a few words."""
    status = entry.status
    if status is RegistrationStatus.CONFIRMED:
        return "Du har plats."
    if status is RegistrationStatus.WAITLISTED:
        if entry.waitlist_position is None:
            return "Du står på reservlistan."
        return f"Du står på reservlistan, plats {entry.waitlist_position}."
    if status is RegistrationStatus.PENDING_APPROVAL:
        return "Din plats väntar på din chefs godkännande."
    if status is RegistrationStatus.APPLIED:
        course = entry.course
        draw_on = course.draw_on or default_draw_day(course.deadline)
        return f"Du har ansökt om plats. Platserna lottas {draw_words(draw_on)}."
    return "Anmäld."
