"""Calendar objects (RFC 5545) for invites (RFC 5546 iTIP) and the public .ics files.

Pure builders over the domain's records (no I/O): the mail worker attaches invites, the
services hand the API its .ics files.

Every session is its own event. Its UID is fixed by the registration and the session's position
(`courses-r{registration}-s{position}@{host}`), so a REQUEST after a change updates the event
in place and a CANCEL removes it; SEQUENCE is the course's `calendar_sequence`, which only a
change of date, time or place raises. Times are local to the organizer's zone with a VTIMEZONE
bounded to the years the sessions need (zone.py); an all-day session is a DATE with an exclusive
end. Every event has the sender as ORGANIZER, the public calendar's too (RFC 5546 PUBLISH).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from courses.calendar.zone import vtimezone
from courses.domain.courses import CourseRecord, Registrant, SessionRecord
from courses.domain.notices import Method
from courses.domain.rules import CourseStatus
from courses.domain.wording import describe_session, one_line
from courses.settings import Settings

__all__ = ["course_calendar", "invite", "registrant_calendar", "session_uid"]

PRODID = "-//Utbildningar missbruk och beroende//courses//SV"


def _host(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "localhost"


def session_uid(settings: Settings, registration_id: int, position: int) -> str:
    return f"courses-r{registration_id}-s{position}@{_host(settings)}"


def _organizer(mail_from: str) -> vCalAddress:
    name, address = parseaddr(mail_from)
    organizer = vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["CN"] = one_line(name).replace('"', "'")
    return organizer


def _attendee(registrant: Registrant) -> vCalAddress:
    # The address was checked at registration; Address() refuses anything a header could not
    # carry, so nothing but an address reaches the property value.
    address = Address(addr_spec=registrant.email).addr_spec
    attendee = vCalAddress(f"mailto:{address}")
    attendee.params["CN"] = one_line(registrant.name).replace('"', "'")
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    attendee.params["RSVP"] = "TRUE"
    return attendee


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The zone's transitions in the years the sessions fall in (not since 1970), serialized.

    They are the same for every invite of a course, so they are made once per zone and span.
    """
    return vtimezone(tzid, first_year, last_year)


@lru_cache(maxsize=8)
def _calendar_head(method: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return bytes(calendar.to_ical()).removesuffix(b"END:VCALENDAR\r\n")


def _calendar(
    method: str, events: list[bytes], sessions: list[SessionRecord], tz: ZoneInfo
) -> bytes:
    timed = [s.day for s in sessions if s.start_time is not None]
    # All-day events are DATE values and need no zone; the zone goes before the events.
    zone = _vtimezone(tz.key, min(timed).year, max(timed).year) if timed else b""
    return _calendar_head(method) + zone + b"".join(events) + b"END:VCALENDAR\r\n"


@dataclass(frozen=True, slots=True)
class _Shared:
    """What an event of a session says whoever it is for: the cache key of its lines."""

    session: SessionRecord
    where: str | None
    summary: str
    description: str
    sequence: int
    status: str | None
    organizer: str | None  # the mail_from setting
    tzid: str


def _lines(component: Event) -> bytes:
    """A component's content lines without its BEGIN and END lines."""
    return (
        bytes(component.to_ical()).removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")
    )


@lru_cache(maxsize=1024)
def _shared_lines(shared: _Shared) -> bytes:
    # Serializing (above all folding) the properties was most of an invite's cost, and they
    # are the same for every registrant of a session: made once per session and state.
    session, tz = shared.session, ZoneInfo(shared.tzid)
    event = Event()
    event.add("sequence", shared.sequence)
    if session.start_time is None:
        event.add("dtstart", session.day)
        event.add("dtend", session.day + timedelta(days=1))
    else:
        event.add("dtstart", datetime.combine(session.day, session.start_time, tzinfo=tz))
        if session.end_time is not None:
            event.add("dtend", datetime.combine(session.day, session.end_time, tzinfo=tz))
    event.add("summary", one_line(shared.summary))
    if shared.where:
        event.add("location", one_line(shared.where))
    event.add("description", shared.description)
    event.add("transp", "OPAQUE")
    if shared.status is not None:
        event.add("status", shared.status)
    if shared.organizer is not None:
        event.add("organizer", _organizer(shared.organizer))
    return _lines(event)


def _event(
    shared: _Shared,
    *,
    uid: str,
    now: datetime,
    attendee: Registrant | None = None,
    url: str | None = None,
) -> bytes:
    """One VEVENT: its own UID, DTSTAMP, ATTENDEE and link, then the session's shared lines."""
    own = Event()
    own.add("uid", uid)
    own.add("dtstamp", now)
    if attendee is not None:
        own.add("attendee", _attendee(attendee))
    if url is not None:
        own.add("url", url)
    return b"BEGIN:VEVENT\r\n" + _lines(own) + _shared_lines(shared) + b"END:VEVENT\r\n"


def _summary(course: CourseRecord, position: int) -> str:
    count = len(course.sessions)
    return course.title if count <= 1 else f"{course.title} (kursdag {position} av {count})"


def _description(course: CourseRecord) -> str:
    lines = [course.title]
    if course.leaders:
        lines.append("Kursledare: " + ", ".join(leader["name"] for leader in course.leaders))
    lines += [
        f"Kursdag {s.position}: {describe_session(s.day, s.start_time, s.end_time)}"
        for s in sorted(course.sessions, key=lambda s: s.position)
    ]
    return "\n".join(lines)


def invite(
    *,
    course: CourseRecord,
    registrant: Registrant,
    session: SessionRecord,
    method: Method,
    settings: Settings,
    now: datetime,
    by_registrant: bool = False,
) -> bytes:
    """The iTIP message (REQUEST or CANCEL) for one session of one registration.

    `session` may be one a change removed (it is no longer in `course`). A REQUEST carries the
    registrant's manage link as the event's URL; a CANCEL does not (after a cancellation the
    link only shows that it is cancelled, as in the mail). A CANCEL `by_registrant` (they
    cancelled their own registration) is titled "Avanmäld", not "Inställt", which would read
    as if the course were called off.
    """
    cancel = method is Method.CANCEL
    prefix = ("Avanmäld: " if by_registrant else "Inställt: ") if cancel else ""
    shared = _Shared(
        session=session,
        where=session.where(registrant.format),
        summary=prefix + _summary(course, session.position),
        description=_description(course),
        # A CANCEL outranks every REQUEST sent for the same course state.
        sequence=course.calendar_sequence + (1 if cancel else 0),
        status="CANCELLED" if cancel else "CONFIRMED",
        organizer=settings.mail_from,
        tzid=settings.timezone,
    )
    event = _event(
        shared,
        uid=session_uid(settings, registrant.id, session.position),
        now=now,
        attendee=registrant,
        url=None if cancel else registrant.manage_url,
    )
    return _calendar(method.value, [event], [session], settings.tz)


def registrant_calendar(
    course: CourseRecord, registrant: Registrant, *, settings: Settings, now: datetime
) -> bytes:
    """All of a confirmed registrant's sessions as one file (METHOD:PUBLISH, same UIDs)."""
    sessions = list(course.sessions)
    events = [
        _event(
            _Shared(
                session=session,
                where=session.where(registrant.format),
                summary=_summary(course, session.position),
                description=_description(course),
                sequence=course.calendar_sequence,
                status=None,
                organizer=settings.mail_from,
                tzid=settings.timezone,
            ),
            uid=session_uid(settings, registrant.id, session.position),
            now=now,
            url=registrant.manage_url,
        )
        for session in sessions
    ]
    return _calendar("PUBLISH", events, sessions, settings.tz)


def _public_where(course: CourseRecord, session: SessionRecord) -> str | None:
    # Never a meeting link: that goes to the digital format's registrants only.
    places = []
    for fmt in course.formats:
        where = "Digitalt" if fmt.digital else session.place or fmt.place
        if where and where not in places:
            places.append(where)
    return " eller ".join(places) or None


def course_calendar(course: CourseRecord, *, settings: Settings, now: datetime) -> bytes:
    """The course's public schedule, one event per session (METHOD:PUBLISH)."""
    sessions = list(course.sessions)
    cancelled = course.status is CourseStatus.CANCELLED
    events = [
        _event(
            _Shared(
                session=session,
                where=_public_where(course, session),
                summary=_summary(course, session.position),
                description=_description(course),
                sequence=course.calendar_sequence,
                status="CANCELLED" if cancelled else None,
                # RFC 5546 wants an ORGANIZER in every published event: the sender.
                organizer=settings.mail_from,
                tzid=settings.timezone,
            ),
            uid=f"courses-{course.slug}-s{session.position}@{_host(settings)}",
            now=now,
        )
        for session in sessions
    ]
    return _calendar("PUBLISH", events, sessions, settings.tz)
