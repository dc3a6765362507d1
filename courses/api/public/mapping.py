"""From the catalogue's results to the public response Structs. Times are shown in the
organizer's zone; the leaders and sessions are shown the same way wherever a course is."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from courses.api.public.schemas import (
    CourseOut,
    CreatedStatus,
    FormatOut,
    LeaderOut,
    SessionOut,
)
from courses.domain.courses import CourseRecord, SessionRecord
from courses.domain.rules import RegistrationStatus
from courses.domain.timing import registration_closes_at
from courses.services.catalogue.listing import CourseListing

__all__ = ["course_out", "created_status", "leaders_out", "session_out"]


def leaders_out(course: CourseRecord) -> list[LeaderOut]:
    return [LeaderOut(name=x["name"], email=x.get("email")) for x in course.leaders]


def session_out(course: CourseRecord, session: SessionRecord, tz: ZoneInfo) -> SessionOut:
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
        leaders=leaders_out(course),
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
        sessions=[session_out(course, s, tz) for s in course.sessions],
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
        offer_hours=course.offer_hours,
        offer_until_hours=course.offer_until_hours,
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
