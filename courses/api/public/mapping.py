"""From service results to response Structs. Times are shown in the organizer's zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from courses.api.public.schemas import (
    CourseOut,
    CourseSummaryOut,
    CreatedStatus,
    FormatOut,
    LeaderOut,
    RegistrationFormatOut,
    RegistrationOut,
    SessionOut,
)
from courses.domain.approval import last_answer_day
from courses.domain.courses import CourseRecord, SessionRecord
from courses.domain.rules import RegistrationStatus
from courses.domain.timing import registration_closes_at
from courses.services.catalogue.listing import CourseListing
from courses.services.registration.lookup import RegistrationDetails

__all__ = ["course_out", "created_status", "registration_out"]


def _leaders(course: CourseRecord) -> list[LeaderOut]:
    return [LeaderOut(name=x["name"], email=x.get("email")) for x in course.leaders]


def _session(course: CourseRecord, session: SessionRecord, tz: ZoneInfo) -> SessionOut:
    span = session.time
    default_place = course.formats[0].place if len(course.formats) == 1 else None
    return SessionOut(
        date=session.day,
        start=session.start_time,
        end=session.end_time,
        all_day=span.all_day,
        place=session.place or default_place,
        starts_at=span.starts_at(tz).astimezone(tz),
        ends_at=span.ends_at(tz).astimezone(tz),
    )


def course_out(listing: CourseListing, tz: ZoneInfo) -> CourseOut:
    course = listing.course
    return CourseOut(
        slug=course.slug,
        title=course.title,
        description=course.description,
        leaders=_leaders(course),
        formats=[
            FormatOut(
                key=f.key,
                kind=f.kind,
                place=f.place,
                seats=f.seats,
                seats_left=f.seats_left,
            )
            for f in course.formats
        ],
        sessions=[_session(course, s, tz) for s in course.sessions],
        deadline=course.deadline,
        opens=course.opens,
        registration_closes_at=registration_closes_at(course.deadline, tz).astimezone(tz),
        seats=course.seats,
        seats_left=course.seats_left,
        waitlist=course.waitlist,
        state=listing.state,
        info_url=course.info_url,
        approval_days=course.approval_days,
        per_employer=course.per_employer,
        share_until=course.share.last_day if course.share is not None else None,
    )


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
            leaders=_leaders(course),
            sessions=[_session(course, s, tz) for s in course.sessions],
            state=details.course_state,
        ),
        created_at=details.created_at.astimezone(tz),
        cancelled_at=details.cancelled_at.astimezone(tz) if details.cancelled_at else None,
        can_cancel=details.can_cancel,
        manager_email=details.manager_email,
        approval_until=(
            last_answer_day(details.approval_due_at, tz) if details.approval_due_at else None
        ),
    )


def created_status(status: RegistrationStatus) -> CreatedStatus:
    """A new registration's status as the API's type says it can be."""
    if status is RegistrationStatus.CONFIRMED:
        return "confirmed"
    if status is RegistrationStatus.WAITLISTED:
        return "waitlisted"
    if status is RegistrationStatus.PENDING_APPROVAL:
        return "pending_approval"
    if status is RegistrationStatus.APPLIED:
        return "applied"
    raise ValueError(f"a new registration is never {status}")
