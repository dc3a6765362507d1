"""Answering an offered seat with the manage link: accept or decline, once.

The registration is found by its manage token, the course row locked, the status read under
the lock; the kernel (`courses.services.seats.offer_seats`) moves the seat. A refused answer
(the offer lapsed, someone else took the seat, the course began) rolls everything back and
says what happened and where the registrant stands now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.errors import OfferClosed, RegistrationNotFound
from courses.domain.permissions import Actor
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services import tokens
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.seats.offer_seats import Accepted, accept_locked, decline_locked
from courses.storage import registrations
from courses.storage.courses import load_course, lock_course
from courses.storage.registrations import RegistrationRow

__all__ = ["OfferAnswer", "answer_offer"]

_UNKNOWN = "Anmälan finns inte, eller så är länken ogiltig."
REGISTRANT = Actor(label="anmälaren (via sin länk)")


@dataclass(frozen=True, slots=True)
class OfferAnswer:
    accepted: bool
    status: RegistrationStatus
    """After the answer: confirmed, pending_approval (the manager is asked) or cancelled."""


async def answer_offer(ctx: ServiceContext, token: str, *, accept: bool) -> OfferAnswer:
    """Accept or decline the seat offered to the registration behind `token`.

    Raises RegistrationNotFound (unknown link) or OfferClosed (no offer to answer: it lapsed,
    went to someone else, was answered, or the course began or was cancelled)."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = await registrations.by_token_hash(conn, tokens.hash_token(token))
        if found is None:
            raise RegistrationNotFound(_UNKNOWN)
        await lock_course(conn, found.course_id)
        status = await registrations.status_of(conn, found.id)
        course = await load_course(conn, found.course_slug)
        assert course is not None
        await _check_course(conn, course, found, now=now, ctx=ctx)
        if accept:
            outcome = await accept_locked(conn, ctx, found, course, status=status, now=now)
            if outcome not in (Accepted.CONFIRMED, Accepted.ASKED):
                raise await _closed(conn, found, status, taken=outcome is Accepted.GONE)
            after = (
                RegistrationStatus.CONFIRMED
                if outcome is Accepted.CONFIRMED
                else RegistrationStatus.PENDING_APPROVAL
            )
        else:
            if not await decline_locked(conn, ctx, found, course, status=status, now=now):
                raise await _closed(conn, found, status, taken=False)
            after = RegistrationStatus.CANCELLED
        answer = "Tackade ja" if accept else "Tackade nej"
        await record(
            conn,
            REGISTRANT,
            "offer.accept" if accept else "offer.decline",
            at=now,
            summary=f"{answer} till en erbjuden plats från reservlistan (anmälan {found.id})",
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            details={"registration": found.id, "status": after.value},
        )
    ctx.mail_signal.notify()
    return OfferAnswer(accepted=accept, status=after)


async def _check_course(
    conn: AsyncConnection,
    course: CourseRecord,
    found: RegistrationRow,
    *,
    now: datetime,
    ctx: ServiceContext,
) -> None:
    if course.status is CourseStatus.CANCELLED:
        raise OfferClosed("Kursen är inställd, så det finns ingen plats att ta emot.")
    if course.timing.has_started(now, ctx.tz):
        raise OfferClosed(
            "Kursen har redan börjat, så erbjudandet gäller inte längre.",
            waitlist_position=await _position(conn, found),
        )


async def _position(conn: AsyncConnection, found: RegistrationRow) -> int | None:
    status = await registrations.status_of(conn, found.id)
    if status is not RegistrationStatus.WAITLISTED:
        return None
    row = (await registrations.by_ids(conn, [found.id]))[found.id]
    return await registrations.waitlist_position(
        conn, course_id=found.course_id, queue_no=row.queue_no
    )


async def _closed(
    conn: AsyncConnection, found: RegistrationRow, status: RegistrationStatus, *, taken: bool
) -> OfferClosed:
    """The refusal for an answer that came too late, in Swedish, with the place now."""
    position = await _position(conn, found)
    if status is RegistrationStatus.CONFIRMED:
        return OfferClosed("Du har redan tackat ja: platsen är din.")
    if status is RegistrationStatus.PENDING_APPROVAL:
        return OfferClosed("Du har redan tackat ja: din chef har fått frågan om godkännande.")
    if status is RegistrationStatus.CANCELLED:
        return OfferClosed("Anmälan är avanmäld, så det finns inget erbjudande att svara på.")
    where = f" Du står kvar på reservlistan, plats {position}." if position is not None else ""
    if taken:
        return OfferClosed(
            "Platsen gick till någon som hann svara före dig." + where,
            taken=True,
            waitlist_position=position,
        )
    return OfferClosed(
        "Tiden för att svara på erbjudandet har gått ut." + where, waitlist_position=position
    )
