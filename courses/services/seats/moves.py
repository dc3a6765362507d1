"""Moving a registration to another format of its course (staff, on the person's behalf),
under the course row's lock: a seat is moved with the same conditional writes a registration
takes it with, so the new format's cap holds under any number of simultaneous moves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.errors import StaffConflict
from courses.domain.fair_seats import HOLDING_STATUSES
from courses.domain.notices import Method
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage.courses import bump_calendar_sequence
from courses.storage.payloads import FormatChanged
from courses.storage.registrations import RegistrationRow
from courses.storage.seats import moves

__all__ = ["format_words", "move_locked"]

_HOLDS_SEAT = HOLDING_STATUSES  # an offered seat is held in its format too


def format_words(fmt: FormatRecord | None) -> str:
    """How a mail or the audit log names a format: "digitalt", "på plats i Ljungby"."""
    if fmt is None:
        return "ett format som inte längre finns"
    if fmt.digital:
        return "digitalt"
    return f"på plats i {fmt.place}" if fmt.place else "på plats"


async def move_locked(
    conn: AsyncConnection,
    ctx: ServiceContext,
    found: RegistrationRow,
    course: CourseRecord,
    *,
    status: RegistrationStatus,
    to: FormatRecord,
    now: datetime,
) -> list[int]:
    """Move the active registration `found` (its `status` read under the lock the caller
    holds) to the format `to`.

    A registration holding a seat (confirmed, waiting for its manager, or offered) takes one in `to`
    and gives back its old one; StaffConflict, with nothing changed, when `to` is full. A
    waitlisted one waits for `to` instead. The person is mailed; a confirmed one gets updated
    invites (a higher SEQUENCE) where the place or meeting link changed. The freed seat goes
    to the waitlist in queue order. Returns the promoted registrations' ids.
    """
    old = course.format_by_id(found.format_id)
    if status in _HOLDS_SEAT and not await moves.move_seat(
        conn, from_format_id=found.format_id, to_format_id=to.id
    ):
        raise StaffConflict(
            f"Formatet är fullbokat: {format_words(to)} har inga lediga platser. "
            "Höj formatets antal platser först, eller välj ett annat format."
        )
    await moves.set_format(conn, found.id, to.id, now=now)
    invites: list[tuple[int, Method]] = []
    elsewhere = any(s.where(old) != s.where(to) for s in course.sessions)
    if status is RegistrationStatus.CONFIRMED and elsewhere:
        # RFC 5546: a new place or link is a revision of the event.
        await bump_calendar_sequence(conn, course.id)
        invites = all_sessions(course.session_positions, Method.REQUEST)
    mail = notice(found.id, FormatChanged(was=format_words(old)), invites=invites)
    await queue(conn, [mail], now=now)
    return await promote_waitlisted(
        conn, course, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
    )
