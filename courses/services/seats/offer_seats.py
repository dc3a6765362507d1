"""Answering a waitlist offer and letting one lapse, under the course row's lock.

An offer held for one person (status `offered`) already holds its seat: accepting keeps it,
declining or running out of time gives it back and the waitlist moves on. An open offer (the
last window) holds nothing: accepting takes a seat by the same conditional UPDATE a
registration uses, so of two people accepting the last seat at once exactly one gets it, and
the others who were told of it hear that it went. The rules are `courses.domain.offers`; the
feature that finds the registration by its link and answers is `courses.services.offers`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.notices import Method
from courses.domain.offers import OfferOutcome
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.approval_requests import ask_manager
from courses.services.seats.waitlist import GivenBack, promote_waitlisted
from courses.storage import offers, registrations
from courses.storage.payloads import OfferDeclined, OfferGone, OfferLapsed, Promoted
from courses.storage.registrations import RegistrationRow
from courses.storage.seats import counters

__all__ = ["Accepted", "accept_locked", "decline_locked", "lapse_locked"]


class Accepted(StrEnum):
    CONFIRMED = "confirmed"
    ASKED = "asked"
    """On a course whose manager approves: the seat is held while the manager is asked."""
    GONE = "gone"
    """An open offer whose seat someone else took first (or the offer is no longer open)."""
    LAPSED = "lapsed"
    """A held offer past its time, or nothing left to accept."""


async def accept_locked(
    conn: AsyncConnection,
    ctx: ServiceContext,
    found: RegistrationRow,
    course: CourseRecord,
    *,
    status: RegistrationStatus,
    now: datetime,
) -> Accepted:
    """Accept the offer of `found`, whose `status` was read under the course lock.

    Anything but CONFIRMED or ASKED leaves the transaction for the caller to roll back (a
    seat may have been claimed before the answer was known to be too late)."""
    if status is RegistrationStatus.OFFERED:
        if not await offers.accept_held(
            conn, found.id, now=now, status=RegistrationStatus.CONFIRMED
        ):
            return Accepted.LAPSED
    elif status is RegistrationStatus.WAITLISTED and found.format_id is not None:
        offer = await offers.offer_of(conn, found.id)
        if not offer.open_at(now):
            return Accepted.GONE if offer.outcome is OfferOutcome.GONE else Accepted.LAPSED
        request = counters.SeatRequest(
            course_id=course.id,
            format_id=found.format_id,
            course_seats_left=None,
            format_seats_left=None,
        )
        if await counters.claim_seat(conn, request) is not counters.Claim.CLAIMED:
            return Accepted.GONE
        accepted = await offers.accept_open(
            conn, found.id, now=now, status=RegistrationStatus.CONFIRMED
        )
        assert accepted, "read as open under the course lock"
        await _tell_the_others(conn, course, now=now)
    else:
        return Accepted.LAPSED
    if course.needs_approval and await ask_manager(
        conn,
        course,
        found.id,
        secret_key=ctx.settings.secret_key,
        now=now,
        tz=ctx.tz,
        promoted=True,
        accepted=True,
    ):
        return Accepted.ASKED
    invites = all_sessions(course.session_positions, Method.REQUEST)
    await queue(conn, [notice(found.id, Promoted(accepted=True), invites=invites)], now=now)
    return Accepted.CONFIRMED


async def _tell_the_others(conn: AsyncConnection, course: CourseRecord, *, now: datetime) -> None:
    """Those told of the same free seat hear it went, once no seat is left for them."""
    gone = await offers.close_open(conn, course.id, now=now)
    mails = []
    for registration_id, row in (await registrations.by_ids(conn, gone)).items():
        position = await registrations.waitlist_position(
            conn, course_id=course.id, queue_no=row.queue_no
        )
        mails.append(notice(registration_id, OfferGone(waitlist_position=position)))
    await queue(conn, mails, now=now)


async def decline_locked(
    conn: AsyncConnection,
    ctx: ServiceContext,
    found: RegistrationRow,
    course: CourseRecord,
    *,
    status: RegistrationStatus,
    now: datetime,
) -> bool:
    """Decline the offer: the registration leaves the queue, a held seat goes to the next
    person waiting. False when there was no offer to decline (any more)."""
    if not await offers.decline(conn, found.id, now=now):
        return False
    await queue(conn, [notice(found.id, OfferDeclined())], now=now)
    if status is RegistrationStatus.OFFERED:
        await counters.release_seat(conn, course_id=course.id, format_id=found.format_id)
        await promote_waitlisted(
            conn, course, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
        )
    return True


async def lapse_locked(
    conn: AsyncConnection,
    ctx: ServiceContext,
    registration_id: int,
    course: CourseRecord,
    *,
    queue_no: int,
    now: datetime,
) -> bool:
    """An offer not answered in time: the registration goes back to the waitlist last in line
    (`queue_no`, taken under the lock) and its seat goes to the next person waiting. The one
    who let it lapse is passed over, so they are not offered the same seat again at once while
    someone else can take it, and no longer count in their employer's fair-seat share. False
    when it was answered or lapsed already (the conditional UPDATE changed nothing)."""
    offer = await offers.lapse(conn, registration_id, now=now, queue_no=queue_no)
    if offer is None:
        return False
    # The seat goes on as it is to the next person waiting for the same format (its counters
    # stay), else it is released for whoever is next.
    moved_on = await promote_waitlisted(
        conn,
        course,
        now=now,
        tz=ctx.tz,
        secret_key=ctx.settings.secret_key,
        passing_over=registration_id,
        given_back=GivenBack(offer.format_id),
    )
    # Nobody else could take the seat: rather than leave it free while they wait, it is
    # offered to them again, with a new time (that offer's mail says so; no lapse mail).
    if not moved_on and registration_id in await promote_waitlisted(
        conn, course, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
    ):
        return True
    position = await registrations.waitlist_position(conn, course_id=course.id, queue_no=queue_no)
    await queue(conn, [notice(registration_id, OfferLapsed(waitlist_position=position))], now=now)
    return True
