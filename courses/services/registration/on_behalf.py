"""An admin's work on one registration: cancel it on the registrant's behalf, move a
waitlisted person up by hand into a free seat, or move someone to another format."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.errors import (
    CourseNotFound,
    FieldError,
    InvalidInput,
    RegistrationNotFound,
    StaffConflict,
)
from courses.domain.notices import Method
from courses.domain.permissions import Actor
from courses.domain.reasons import clean_reason
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.permissions import locked_course_for_admin, require_admin
from courses.services.seats.approval_requests import ask_manager
from courses.services.seats.capacity import take_free_seat
from courses.services.seats.moves import format_words, move_locked
from courses.services.seats.release import active_status, cancel_locked
from courses.storage import registrations
from courses.storage.payloads import Cancelled, Promoted
from courses.storage.registrations import RegistrationRow

__all__ = ["RegistrationOutcome", "cancel_on_behalf", "move_to_format", "promote_by_hand"]


@dataclass(frozen=True, slots=True)
class RegistrationOutcome:
    registration_id: int
    course_slug: str
    status: RegistrationStatus
    """The registration's status after the action."""
    promoted: list[int]
    """Registrations moved up from the waitlist by the freed seat (cancellations only)."""


def _missing(registration_id: int) -> RegistrationNotFound:
    return RegistrationNotFound(f"Det finns ingen anmälan med id {registration_id}.")


async def _locked(
    conn: AsyncConnection, actor: Actor, registration_id: int
) -> tuple[RegistrationRow, CourseRecord]:
    """The registration and its course, locked; one of another organizer's course is answered
    like a missing one."""
    require_admin(actor)
    found = (await registrations.by_ids(conn, [registration_id])).get(registration_id)
    if found is None:
        raise _missing(registration_id)
    try:
        course = await locked_course_for_admin(conn, actor, found.course_slug)
    except CourseNotFound as exc:
        raise _missing(registration_id) from exc
    return found, course


async def cancel_on_behalf(
    ctx: ServiceContext, actor: Actor, registration_id: int, *, reason: str | None = None
) -> RegistrationOutcome:
    """Cancel a confirmed or waitlisted registration for its registrant, also after the course
    began (the link no longer can). The registrant is mailed with invite cancellations (and
    the staff member's `reason`, if given); a freed seat goes to the waitlist, as when they
    cancel themselves (not once the course has begun).

    Raises Forbidden (not an admin), RegistrationNotFound (unknown, another organizer's, or
    already cancelled), InvalidInput (a reason too long).
    """
    reason = clean_reason(reason)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found, course = await _locked(conn, actor, registration_id)
        status = await active_status(
            conn, found, cancelled=f"Anmälan {registration_id} är redan avanmäld."
        )
        promoted = await cancel_locked(
            conn,
            ctx,
            found,
            course,
            status=status,
            now=now,
            payload=Cancelled(reason=reason),
            by_staff=True,
        )
        await record(
            conn,
            actor,
            "registration.cancel",
            at=now,
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            summary=f"Avanmälde {found.name} ({found.email}) från {course.title}."
            + (f" Anledning: {reason}" if reason else ""),
            details={
                "registration_id": found.id,
                "was": status.value,
                "promoted": promoted,
                **({"reason": reason} if reason else {}),
            },
        )
    ctx.mail_signal.notify()
    return RegistrationOutcome(found.id, course.slug, RegistrationStatus.CANCELLED, promoted)


async def promote_by_hand(
    ctx: ServiceContext, actor: Actor, registration_id: int
) -> RegistrationOutcome:
    """Move a waitlisted person to confirmed, ahead of the queue, into a free seat only.

    The seat is taken with the same conditional writes as a registration's, so a full course
    or format stays full: raise the cap first (which promotes in queue order). The registrant
    is mailed with the invites. Raises Forbidden, RegistrationNotFound, and StaffConflict when
    the registration is not waitlisted, the course is cancelled or there is no free seat.
    """
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found, course = await _locked(conn, actor, registration_id)
        if await registrations.status_of(conn, found.id) is not RegistrationStatus.WAITLISTED:
            raise StaffConflict(
                f"Anmälan {registration_id} står inte på reservlistan, så den kan inte flyttas upp."
            )
        if course.status is CourseStatus.CANCELLED:
            raise StaffConflict("Kursen är inställd; ingen kan flyttas upp från reservlistan.")
        if found.format_id is None:
            raise StaffConflict(
                "Formatet som personen anmälde sig till finns inte längre; anmälan kan bara "
                "avanmälas."
            )
        await take_free_seat(conn, course_id=course.id, format_id=found.format_id)
        await registrations.set_status(conn, found.id, RegistrationStatus.CONFIRMED, now=now)
        new_status = RegistrationStatus.CONFIRMED
        if course.needs_approval and await ask_manager(
            conn,
            course,
            found.id,
            secret_key=ctx.settings.secret_key,
            now=now,
            tz=ctx.tz,
            promoted=True,
        ):
            # The seat is held and the manager asked, as for a promotion in queue order.
            new_status = RegistrationStatus.PENDING_APPROVAL
        else:
            invites = all_sessions(course.session_positions, Method.REQUEST)
            await queue(conn, [notice(found.id, Promoted(), invites=invites)], now=now)
        await record(
            conn,
            actor,
            "registration.promote",
            at=now,
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            summary=(
                f"Flyttade upp {found.name} ({found.email}) från reservlistan i {course.title}."
            ),
            details={"registration_id": found.id},
        )
    ctx.mail_signal.notify()
    return RegistrationOutcome(found.id, course.slug, new_status, [])


async def move_to_format(
    ctx: ServiceContext, actor: Actor, registration_id: int, format_key: str
) -> RegistrationOutcome:
    """Move a registration to another format of its course, within that format's cap (a
    person who phoned to attend digitally instead). The person is mailed, with updated invites
    where the place or meeting link changed; a seat freed in the old format goes to the
    waitlist.

    Raises Forbidden, RegistrationNotFound (unknown, another organizer's, or cancelled),
    InvalidInput (field `format`: the course has no such format) and StaffConflict (already in
    that format, the course cancelled, or the new format full).
    """
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found, course = await _locked(conn, actor, registration_id)
        status = await active_status(
            conn, found, cancelled=f"Anmälan {registration_id} är avanmäld."
        )
        to = next((f for f in course.formats if f.key == format_key), None)
        if to is None:
            message = "Välj ett av kursens format."
            raise InvalidInput(message, [FieldError("format", message)])
        if to.id == found.format_id:
            raise StaffConflict(f"{found.name} deltar redan {format_words(to)}.")
        if course.status is CourseStatus.CANCELLED:
            raise StaffConflict("Kursen är inställd; ingen kan byta format.")
        was = format_words(course.format_by_id(found.format_id))
        promoted = await move_locked(conn, ctx, found, course, status=status, to=to, now=now)
        await record(
            conn,
            actor,
            "registration.move",
            at=now,
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            summary=(
                f"Flyttade {found.name} ({found.email}) i {course.title} från {was} till "
                f"{format_words(to)}."
            ),
            details={"registration_id": found.id, "format": to.key, "promoted": promoted},
        )
        now_status = await registrations.status_of(conn, found.id)
    ctx.mail_signal.notify()
    return RegistrationOutcome(found.id, course.slug, now_status or status, promoted)
