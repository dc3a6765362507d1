"""Promotion from the waitlist, inside the transaction of the change that freed the counters.

A freed seat goes to the waitlist one of three ways (`courses.domain.offers.plan_offer`): at
once (`offer_hours = 0`), held for the first person waiting until a time (status `offered`), or,
in the last window before the course, offered to everyone waiting without holding it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.notices import Method
from courses.domain.offers import OfferKind, OfferPlan, plan_offer
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats import fair_seats
from courses.services.seats.approval_requests import ask_manager
from courses.storage import offers, registrations
from courses.storage.payloads import Offered, Promoted
from courses.storage.seats import counters

__all__ = ["GivenBack", "offer_plan", "promote_waitlisted"]


@dataclass(frozen=True, slots=True)
class GivenBack:
    """A seat its holder gave up in this transaction, still counted on the course and in
    `format_id`: the first person moved up in that format takes it over as it is (no counter
    moves); otherwise it is released before anyone claims a seat."""

    format_id: int | None


def offer_plan(course: CourseRecord, *, now: datetime, tz: ZoneInfo) -> OfferPlan:
    """How a seat of `course` that frees up at `now` goes to the waitlist."""
    if course.status is CourseStatus.CANCELLED:
        return OfferPlan(OfferKind.NONE)
    return plan_offer(
        offer_hours=course.offer_hours,
        offer_until_hours=course.offer_until_hours,
        first_start=course.timing.first_session_starts_at(tz),
        now=now,
    )


async def promote_waitlisted(
    conn: AsyncConnection,
    course: CourseRecord,
    *,
    now: datetime,
    tz: ZoneInfo,
    secret_key: str,
    passing_over: int | None = None,
    given_back: GivenBack | None = None,
) -> list[int]:
    """Fill free seats from the waitlist in queue order; the caller holds the course lock.

    Someone whose format is still full is passed over (they keep their place) and the next in
    line is tried; so is, while the course's fair-seat share lasts, someone whose employer
    holds its share (`courses.services.seats.fair_seats`). Nobody is promoted once the course has
    begun or if it is cancelled. Returns the ids of the registrations that got a seat or an
    offer of one; each is told by mail (a promotion with the invites). On a course whose
    manager approves, a promoted one holds the seat as pending and its manager is asked
    (`ask_manager`, which needs `secret_key` for the approval link); an offered one is asked
    when they accept. `passing_over`: a registration waiting that is not moved up or told
    this time (an offer of this seat to them has just lapsed); `given_back`: the seat that
    freed up, not yet released (`GivenBack`).
    """
    plan = offer_plan(course, now=now, tz=tz)
    if given_back is not None and plan.kind in (OfferKind.NONE, OfferKind.OPEN):
        await _release(conn, course, given_back)
        given_back = None
    if plan.kind is OfferKind.NONE:
        return []
    if plan.kind is OfferKind.OPEN:
        assert plan.due_at is not None
        return await _open_to_all(
            conn, course, now=now, tz=tz, due_at=plan.due_at, passing_over=passing_over
        )
    promoted: list[int] = []
    asked: list[int] = []
    held: list[int] = []
    share = await fair_seats.ShareGate.of(conn, course, now=now, tz=tz)
    for registration_id, format_id, employer_id in await share.waiting(conn):
        if format_id is None or registration_id == passing_over:
            continue  # a removed format (it can only be cancelled), or an offer just lapsed
        if share.full(employer_id):
            continue
        if given_back is not None and given_back.format_id == format_id:
            given_back = None  # taken over as it is
        else:
            if given_back is not None:
                await _release(conn, course, given_back)
                given_back = None
            request = counters.SeatRequest(
                course_id=course.id,
                format_id=format_id,
                course_seats_left=None,
                format_seats_left=None,
            )
            claim = await counters.claim_seat(conn, request)
            if claim is counters.Claim.COURSE_FULL:
                break
            if claim is counters.Claim.FORMAT_FULL:
                continue
        share.took(employer_id)  # a held seat counts in the share, approved or not yet
        if plan.kind is OfferKind.HELD:
            assert plan.due_at is not None
            await offers.hold(conn, registration_id, now=now, due_at=plan.due_at)
            held.append(registration_id)
            continue
        await registrations.set_status(conn, registration_id, RegistrationStatus.CONFIRMED, now=now)
        # On an approval course their own mails: the seat is held while the manager is asked
        # (someone who registered before the course asked for approval named no manager).
        if course.needs_approval and await ask_manager(
            conn, course, registration_id, secret_key=secret_key, now=now, tz=tz, promoted=True
        ):
            asked.append(registration_id)
            continue
        promoted.append(registration_id)
    if given_back is not None:
        await _release(conn, course, given_back)
    invites = all_sessions(course.session_positions, Method.REQUEST)
    mails = [notice(id_, Promoted(), invites=invites) for id_ in promoted]
    if plan.due_at is not None:
        mails += [notice(id_, Offered(due_at=plan.due_at)) for id_ in held]
    await queue(conn, mails, now=now)
    return sorted(promoted + asked + held)


async def _release(conn: AsyncConnection, course: CourseRecord, seat: GivenBack) -> None:
    await counters.release_seat(conn, course_id=course.id, format_id=seat.format_id)


async def _open_to_all(
    conn: AsyncConnection,
    course: CourseRecord,
    *,
    now: datetime,
    tz: ZoneInfo,
    due_at: datetime,
    passing_over: int | None,
) -> list[int]:
    """The last window: everyone waiting who could take a free seat is told of it (once per
    open offer); the first to accept gets it (`courses.services.offers`)."""
    if course.seats is not None and await counters.course_full(conn, course.id):
        return []
    full_formats = await counters.full_formats(conn, course.id)
    share = await fair_seats.ShareGate.of(conn, course, now=now, tz=tz)
    eligible = [
        registration_id
        for registration_id, format_id, employer_id in await share.waiting(conn)
        if format_id is not None
        and format_id not in full_formats
        and not share.full(employer_id)
        and registration_id != passing_over
    ]
    told = await offers.open_to(conn, eligible, now=now, due_at=due_at)
    await queue(conn, [notice(id_, Offered(due_at=due_at, open=True)) for id_ in told], now=now)
    return told
