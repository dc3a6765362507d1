"""From the registration services' results to the registrant's response Structs, in the
organizer's time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from courses.api.public.mapping import leaders_out, session_out
from courses.api.registrant.schemas import (
    CourseSummaryOut,
    OfferOut,
    RegistrationFormatOut,
    RegistrationOut,
)
from courses.domain.approval import last_answer_day
from courses.domain.rules import RegistrationStatus
from courses.services.registration.lookup import OfferDetails, RegistrationDetails

__all__ = ["offer_out", "registration_out"]


def registration_out(details: RegistrationDetails, tz: ZoneInfo) -> RegistrationOut:
    course = details.course
    fmt = details.format
    # The meeting link is for people with a seat in the digital format, nobody else.
    show_link = details.status is RegistrationStatus.CONFIRMED
    return RegistrationOut(
        id=details.id,
        status=details.status,
        waitlist_position=details.waitlist_position,
        name=details.name,
        email=details.email,
        employer=details.employer_key,
        employer_name=details.employer_name,
        workplace=details.workplace,
        phone=details.phone,
        message=details.message,
        format=None
        if fmt is None
        else RegistrationFormatOut(
            key=fmt.key,
            kind=fmt.kind,
            place=fmt.place,
            meeting_url=fmt.meeting_url if show_link else None,
        ),
        course=CourseSummaryOut(
            slug=course.slug,
            title=course.title,
            leaders=leaders_out(course),
            sessions=[session_out(course, s, tz) for s in course.sessions],
            state=details.course_state,
        ),
        created_at=details.created_at.astimezone(tz),
        cancelled_at=details.cancelled_at.astimezone(tz) if details.cancelled_at else None,
        can_cancel=details.can_cancel,
        manager_email=details.manager_email,
        approval_until=(
            last_answer_day(details.approval_due_at, tz) if details.approval_due_at else None
        ),
        offer=None if details.offer is None else offer_out(details.offer, tz),
        transferred_to=details.transferred_to,
        transferred_from=details.transferred_from,
    )


def offer_out(offer: OfferDetails, tz: ZoneInfo) -> OfferOut:
    return OfferOut(
        due_at=offer.due_at.astimezone(tz) if offer.due_at else None,
        open=offer.open,
        outcome=offer.outcome,
    )
