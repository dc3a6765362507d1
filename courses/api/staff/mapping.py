"""From the attendees service's list to the leaders' response Struct."""

from __future__ import annotations

from courses.api.staff.schemas import AttendeeListOut, AttendeeOut, SessionRef
from courses.services.attendance.attendees import AttendeeList

__all__ = ["attendee_list_out"]


def attendee_list_out(listing: AttendeeList) -> AttendeeListOut:
    course = listing.course
    return AttendeeListOut(
        course=course.slug,
        title=course.title,
        sessions=[
            SessionRef(position=s.position, date=s.day)
            for s in sorted(course.sessions, key=lambda s: s.position)
        ],
        attendees=[
            AttendeeOut(
                id=row.registration_id,
                name=row.name,
                email=row.email,
                phone=row.phone,
                employer=row.employer,
                workplace=row.workplace,
                format=row.format_key,
                status=row.status,
                waitlist_position=row.waitlist_position,
                registered_at=row.registered_at,
                attendance={str(k): v for k, v in sorted(row.attendance.items())},
                manager_email=row.manager_email if listing.asks_manager else None,
                offer_due_at=row.offer_due_at,
                replaces=row.replaces,
                replaced_by=row.replaced_by,
            )
            for row in listing.rows
        ],
        total=listing.total,
    )
