"""The .ics files the API serves: a registrant's sessions and a course's public schedule."""

from __future__ import annotations

from courses.calendar import course_calendar, registrant_calendar
from courses.domain.errors import CourseNotFound, NoInvite
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.storage.courses import load_course

__all__ = ["course_ics", "registration_ics"]


async def registration_ics(ctx: ServiceContext, token: str) -> bytes:
    """All sessions of a confirmed registration, with the UIDs of its invites.

    Raises RegistrationNotFound, or NoInvite for a registration without a seat (waitlisted,
    offered and not yet accepted, handed on, cancelled).
    """
    details = await get_registration(ctx, token)
    if details.status is RegistrationStatus.WAITLISTED:
        raise NoInvite("Du står på reservlistan. Kalenderinbjudan skickas när du får en plats.")
    if details.status is RegistrationStatus.OFFERED:
        raise NoInvite("Du har erbjudits en plats. Kalenderinbjudan skickas när du har tackat ja.")
    if details.status is RegistrationStatus.TRANSFERRED:
        raise NoInvite("Platsen är överlåten till en kollega och har ingen kalenderinbjudan.")
    if details.status is RegistrationStatus.CANCELLED:
        raise NoInvite("Anmälan är avanmäld och har ingen kalenderinbjudan.")
    return registrant_calendar(
        details.course, details.registrant, settings=ctx.settings, now=ctx.clock.now()
    )


async def course_ics(ctx: ServiceContext, slug: str) -> bytes:
    """The course's sessions for anyone to subscribe to; no meeting links."""
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    if course is None or course.status is CourseStatus.DRAFT:
        raise CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")
    return course_calendar(course, settings=ctx.settings, now=ctx.clock.now())
