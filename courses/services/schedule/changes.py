"""What a change of a course means to the people registered for it, and the mails it queues.

`describe_change` compares the course before and after (no I/O): which lines each format's
registrants read, and whether the calendar events were rescheduled. Only a change of a session's
date, time or place (the meeting link, for the digital format), an added or removed session, or
a cancellation raises the events' SEQUENCE (RFC 5546); a new title or leader updates the events
at the same SEQUENCE, and a change of description, deadline or seats mails nobody.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatRecord, SessionRecord
from courses.domain.notices import Method, WithdrawnBy
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.domain.wording import describe_session
from courses.services.notices import notice, queue
from courses.services.seats.manager_notices import manager_told
from courses.storage import registrations
from courses.storage.courses import bump_calendar_sequence
from courses.storage.outbox import NewMail
from courses.storage.payloads import CourseCancelled, CourseChanged, RemovedSession

__all__ = ["CourseChange", "describe_change", "notify_course_change"]


@dataclass(frozen=True, slots=True)
class CourseChange:
    lines: list[str] = field(default_factory=list)
    """What changed for everyone registered, in Swedish."""
    lines_by_format: dict[str, list[str]] = field(default_factory=dict)
    """What changed only for one format's registrants (a place, a meeting link)."""
    rescheduled: bool = False
    removed: list[SessionRecord] = field(default_factory=list)
    cancelled: bool = False

    def lines_for(self, format_key: str | None) -> list[str]:
        return [*self.lines, *self.lines_by_format.get(format_key or "", [])]

    def concerns(self, format_key: str | None) -> bool:
        return self.cancelled or bool(self.lines_for(format_key))


def _when(session: SessionRecord) -> str:
    return describe_session(session.day, session.start_time, session.end_time)


def _place_lines(old: CourseRecord, new: CourseRecord, fmt: FormatRecord) -> list[str]:
    before = {f.key: f for f in old.formats}.get(fmt.key)
    if before is None:
        return []
    old_sessions = {s.position: s for s in old.sessions}
    lines = []
    for session in new.sessions:
        was = old_sessions.get(session.position)
        if was is None:
            continue
        then, now = was.where(before), session.where(fmt)
        if then != now:
            label = "möteslänk" if fmt.digital else "plats"
            lines.append(
                f"Kursdag {session.position}, {label}: {then or 'meddelas senare'} → "
                f"{now or 'meddelas senare'}"
            )
    return lines


def describe_change(old: CourseRecord, new: CourseRecord) -> CourseChange:
    """The change from `old` to `new` as the registrants see it."""
    old_sessions = {s.position: s for s in old.sessions}
    new_sessions = {s.position: s for s in new.sessions}
    removed = [s for p, s in sorted(old_sessions.items()) if p not in new_sessions]
    if new.status is CourseStatus.CANCELLED and old.status is not CourseStatus.CANCELLED:
        return CourseChange(
            lines=["Kursen är inställd."], rescheduled=True, removed=removed, cancelled=True
        )
    lines: list[str] = []
    if old.status is CourseStatus.CANCELLED and new.status is not CourseStatus.CANCELLED:
        lines.append("Kursen blir av igen.")
    if old.title != new.title:
        lines.append(f"Kursen heter nu {new.title} (tidigare {old.title}).")
    if old.leaders != new.leaders:
        names = ", ".join(leader["name"] for leader in new.leaders) or "meddelas senare"
        lines.append(f"Kursledare: {names}.")
    moved = False
    for position, session in sorted(new_sessions.items()):
        was = old_sessions.get(position)
        if was is None:
            lines.append(f"Ny kursdag {position}: {_when(session)}.")
            moved = True
        elif was.time != session.time:
            lines.append(f"Kursdag {position} flyttas: {_when(was)} → {_when(session)}.")
            moved = True
    lines += [f"Kursdag {s.position} ({_when(s)}) utgår." for s in removed]
    by_format = {f.key: found for f in new.formats if (found := _place_lines(old, new, f))}
    reopened = old.status is CourseStatus.CANCELLED and new.status is not CourseStatus.CANCELLED
    return CourseChange(
        lines=lines,
        lines_by_format=by_format,
        rescheduled=moved or bool(removed) or bool(by_format) or reopened,
        removed=removed,
    )


async def notify_course_change(
    conn: AsyncConnection,
    old: CourseRecord,
    new: CourseRecord,
    *,
    now: datetime,
    reason: str | None = None,
) -> int:
    """Queue a mail to every active registrant the change concerns, with calendar updates.

    Returns how many registrants were notified; `reason`, the admin's words on a cancellation,
    goes into each mail. When the course is cancelled, the manager of
    a registration waiting for their answer is told it needs none.
    Confirmed registrants get a REQUEST for every session (and a CANCEL for each removed one),
    or a CANCEL for every session when the course is cancelled; waitlisted ones get the text.
    """
    change = describe_change(old, new)
    if change.rescheduled:
        await bump_calendar_sequence(conn, new.id)
    keys = {f.id: f.key for f in new.formats}
    payload_type = CourseCancelled if change.cancelled else CourseChanged
    removed = [RemovedSession.of(s) for s in change.removed]
    notices = []
    managers: list[list[NewMail]] = []
    for registration_id, status, format_id in await registrations.active_in_course(conn, new.id):
        key = keys.get(format_id) if format_id is not None else None
        if not change.concerns(key):
            continue
        invites: list[tuple[int, Method]] = []
        if status is RegistrationStatus.CONFIRMED:
            method = Method.CANCEL if change.cancelled else Method.REQUEST
            invites = [(position, method) for position in new.session_positions]
            invites += [(s.position, Method.CANCEL) for s in change.removed]
        payload = payload_type(changes=change.lines_for(key), removed=removed, reason=reason)
        notices.append(notice(registration_id, payload, invites=sorted(invites)))
        if change.cancelled:
            managers += manager_told(registration_id, status, WithdrawnBy.COURSE_CANCELLED)
    await queue(conn, [*notices, *managers], now=now)
    return len(notices)
