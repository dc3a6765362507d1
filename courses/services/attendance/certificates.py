"""The certificate (intyg) of a registrant who attended every session of a course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from courses.domain.courses import SessionRecord
from courses.domain.errors import NoCertificate
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.storage.organizers import organizer_by_id

__all__ = ["Certificate", "certificate"]


@dataclass(frozen=True, slots=True)
class Certificate:
    name: str
    employer: str
    course_title: str
    sessions: list[SessionRecord]
    hours: float | None
    """Hours of teaching; None when a session has no times (an all-day session)."""
    leaders: list[str]
    organizer: str
    issued: date


def _hours(sessions: list[SessionRecord]) -> float | None:
    total = timedelta()
    for session in sessions:
        if session.start_time is None or session.end_time is None:
            return None
        start = datetime.combine(session.day, session.start_time)
        total += datetime.combine(session.day, session.end_time) - start
    return total.total_seconds() / 3600


async def certificate(ctx: ServiceContext, token: str) -> Certificate:
    """Raises RegistrationNotFound for an unknown token, NoCertificate until a leader has
    marked the registrant present at every session."""
    details = await get_registration(ctx, token)
    if not details.attended_every_session:
        raise NoCertificate(
            "Intyget finns när kursledaren har markerat att du har deltagit i alla kursdagar."
        )
    course = details.course
    async with ctx.db.read() as conn:
        organizer = await organizer_by_id(conn, course.organizer_id)
    sessions = sorted(course.sessions, key=lambda s: (s.day, s.position))
    return Certificate(
        name=details.name,
        employer=details.employer_name,
        course_title=course.title,
        sessions=sessions,
        hours=_hours(sessions),
        leaders=[leader["name"] for leader in course.leaders],
        organizer=organizer.name if organizer else "",
        issued=ctx.clock.now().astimezone(ctx.tz).date(),
    )
