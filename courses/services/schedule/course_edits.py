"""An admin changes or cancels a course or one of its sessions, and raises or lowers its caps.

Each change runs in one write transaction under the course row's lock, like an import: the new
state is checked by the schedule file's own rules (`courses.schedule`), the row's revision is
bumped, the counters recounted, the registrants told through the outbox with invite updates
(`notify_course_change`, as imports do), free seats filled from the waitlist in queue order
(`promote_waitlisted`), and an audit entry written.

A cap may not go under the seats people already hold (`courses.domain.caps`): the admin
cancels someone first. Raising one promotes from the waitlist in queue order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from msgspec import UNSET, UnsetType
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, Leader, SessionRecord
from courses.domain.errors import CourseNotFound, FieldError, InvalidInput, StaffConflict
from courses.domain.permissions import Actor
from courses.domain.reasons import clean_reason
from courses.domain.rules import CourseStatus
from courses.services.context import ServiceContext
from courses.services.schedule.checks import check_course, course_row, held_cap_problems
from courses.services.schedule.edit_apply import CourseUpdate, Write, apply_edit
from courses.services.schedule.wording import COURSE_FIELDS, diff_lines
from courses.storage.course_edits import delete_session, set_format_seats, update_session
from courses.storage.registrations import held_by_format

__all__ = [
    "CourseEdit",
    "CourseUpdate",
    "SessionEdit",
    "cancel_course",
    "cancel_session",
    "change_course",
    "change_session",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseEdit:
    """What to change; a field left UNSET keeps its value. `format_seats` sets format caps by
    format key (None removes a cap)."""

    title: str | UnsetType = UNSET
    description: str | UnsetType | None = UNSET
    leaders: list[Leader] | UnsetType = UNSET
    deadline: date | UnsetType = UNSET
    opens: date | UnsetType | None = UNSET
    seats: int | UnsetType | None = UNSET
    waitlist: bool | UnsetType = UNSET
    info_url: str | UnsetType | None = UNSET
    status: CourseStatus | UnsetType = UNSET
    per_employer: int | UnsetType | None = UNSET
    """Fair seats per employer (None: no share); a change hands out freed seats at once."""
    share_until: date | UnsetType | None = UNSET
    format_seats: Mapping[str, int | None] = field(default_factory=dict)
    reason: str | None = None
    """Why, when the change cancels the course: quoted in the mail to everyone concerned."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionEdit:
    """A session's new date, times (both or neither: all day) or place; UNSET keeps it."""

    day: date | UnsetType = UNSET
    start: time | UnsetType | None = UNSET
    end: time | UnsetType | None = UNSET
    place: str | UnsetType | None = UNSET


_COURSE_COLUMNS = (
    "title",
    "description",
    "leaders",
    "deadline",
    "opens",
    "seats",
    "waitlist",
    "info_url",
    "per_employer",
    "share_until",
)


async def change_course(
    ctx: ServiceContext, actor: Actor, slug: str, edit: CourseEdit
) -> CourseUpdate:
    """Change a course's fields and caps, or cancel it (`status=CourseStatus.CANCELLED`).

    Raises Forbidden (not an admin), CourseNotFound (unknown or another organizer's course) and
    InvalidInput (an unknown format, or a state the schedule file's rules refuse, such as a
    deadline after the first session).
    """
    cancelling = edit.status is CourseStatus.CANCELLED
    action = "course.cancel" if cancelling else "course.change"
    reason = clean_reason(edit.reason)
    return await apply_edit(ctx, actor, slug, action, _edit(edit), reason=reason)


def _edit(edit: CourseEdit) -> Write:
    async def write(
        conn: AsyncConnection, course: CourseRecord
    ) -> tuple[dict[str, Any], list[str]]:
        values = {
            name: getattr(edit, name)
            for name in _COURSE_COLUMNS
            if getattr(edit, name) is not UNSET
        }
        if edit.status is not UNSET:
            values["status"] = edit.status.value
        old = course_row(course)
        values = {name: value for name, value in values.items() if old[name] != value}
        formats = {f.key: f for f in course.formats}
        unknown = [key for key in edit.format_seats if key not in formats]
        if unknown:
            raise InvalidInput(
                f"Kursen har inget format {unknown[0]!r}.",
                [
                    FieldError(f"formats.{key}", "Kursen har inget sådant format.")
                    for key in unknown
                ],
            )
        format_seats = {
            key: seats for key, seats in edit.format_seats.items() if formats[key].seats != seats
        }
        check_course(course, values=values, format_seats=format_seats)
        await _check_caps(conn, course, values=values, format_seats=format_seats)
        lines = list(diff_lines(old, {**old, **values}, COURSE_FIELDS))
        for key, seats in format_seats.items():
            await set_format_seats(conn, course.id, key, seats)
            lines.append(f"format {key} platser: {_seats(formats[key].seats)} → {_seats(seats)}")
        return values, lines

    return write


async def _check_caps(
    conn: AsyncConnection,
    course: CourseRecord,
    *,
    values: Mapping[str, Any],
    format_seats: Mapping[str, int | None],
) -> None:
    """A changed cap may not go under the seats held (the course row is locked)."""
    if "seats" not in values and not format_seats:
        return
    held = await held_by_format(conn, course.id)
    caps = held_cap_problems(
        seats=values.get("seats"),
        format_seats=format_seats,
        held=held,
    )
    if caps:
        errors = [
            FieldError("seats" if key is None else f"formats.{key}", why) for key, why in caps
        ]
        raise InvalidInput(f"Ändringen går inte att spara: {errors[0].message}", errors)


async def cancel_course(
    ctx: ServiceContext, actor: Actor, slug: str, *, reason: str | None = None
) -> CourseUpdate:
    """Cancel the course: every registrant is mailed (with the admin's `reason`, if given),
    confirmed ones with invite cancellations.

    Raises Forbidden, CourseNotFound, InvalidInput (a reason too long) and StaffConflict when
    the course is already cancelled.
    """
    reason = clean_reason(reason)
    edit = _edit(CourseEdit(status=CourseStatus.CANCELLED))

    async def write(
        conn: AsyncConnection, course: CourseRecord
    ) -> tuple[dict[str, Any], list[str]]:
        _refuse_cancelled(course)
        return await edit(conn, course)

    return await apply_edit(ctx, actor, slug, "course.cancel", write, reason=reason)


async def change_session(
    ctx: ServiceContext, actor: Actor, slug: str, position: int, edit: SessionEdit
) -> CourseUpdate:
    """Move one session (date, times) or change its place; registrants get updated invites.

    Raises Forbidden, CourseNotFound (also for a session the course does not have) and
    InvalidInput (a start without an end, an end before the start, a first day before the
    deadline).
    """

    async def write(
        conn: AsyncConnection, course: CourseRecord
    ) -> tuple[dict[str, Any], list[str]]:
        session = _session(course, position)
        wanted = {
            "day": session.day if edit.day is UNSET else edit.day,
            "start_time": session.start_time if edit.start is UNSET else edit.start,
            "end_time": session.end_time if edit.end is UNSET else edit.end,
            "place": session.place if edit.place is UNSET else edit.place,
        }
        old = {
            "day": session.day,
            "start_time": session.start_time,
            "end_time": session.end_time,
            "place": session.place,
        }
        if wanted == old:
            return {}, []
        check_course(course, sessions={position: wanted})
        await update_session(conn, course.id, position, wanted)
        labels = {"day": "datum", "start_time": "start", "end_time": "slut", "place": "plats"}
        return {}, list(diff_lines(old, wanted, labels, prefix=f"kursdag {position} "))

    return await apply_edit(ctx, actor, slug, "session.change", write)


async def cancel_session(
    ctx: ServiceContext, actor: Actor, slug: str, position: int, *, reason: str | None = None
) -> CourseUpdate:
    """Cancel one session (confirmed registrants get its invite cancelled, the rest updated;
    the mail quotes the admin's `reason`, if given); cancelling the course's last session
    cancels the course.

    Raises Forbidden, CourseNotFound (also for a session the course does not have, such as
    one already cancelled), InvalidInput (a reason too long) and StaffConflict when the course
    is cancelled.
    """
    reason = clean_reason(reason)
    return await apply_edit(
        ctx, actor, slug, "session.cancel", _remove_session(position), reason=reason
    )


def _refuse_cancelled(course: CourseRecord) -> None:
    if course.status is CourseStatus.CANCELLED:
        raise StaffConflict(f"Kursen {course.title} är redan inställd.")


def _remove_session(position: int) -> Write:
    async def write(
        conn: AsyncConnection, course: CourseRecord
    ) -> tuple[dict[str, Any], list[str]]:
        _refuse_cancelled(course)
        session = _session(course, position)
        if len(course.sessions) == 1:
            # The course's only session: it is kept, so the course still says when it was.
            return {"status": CourseStatus.CANCELLED.value}, [
                f"kursdag {position} ({session.day}) inställd, och med den kursen"
            ]
        await delete_session(conn, course.id, position)
        return {}, [f"kursdag {position} borttagen ({session.day})"]

    return write


def _session(course: CourseRecord, position: int) -> SessionRecord:
    found = next((s for s in course.sessions if s.position == position), None)
    if found is None:
        raise CourseNotFound(f"Kursen {course.slug!r} har ingen kursdag {position}.")
    return found


def _seats(value: int | None) -> str:
    return "obegränsat" if value is None else str(value)
