"""Waitlist offers under concurrency, on SQLite and PostgreSQL, through the service functions
(the race is in the transaction, not in HTTP): many accepting one open seat at once, an
offer's expiry racing its acceptance, and two workers letting the same offer lapse. Each has a
control run with a naive read-check-write in place of the guard, held at a `ReadGate` so that
both sides have read before either writes, which must get it wrong.

SQLite runs one write transaction at a time, so a naive guard can only go wrong there when it
trusts what it read before its write transaction began; the controls read there."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from courses.clock import FixedClock
from courses.domain.courses import CourseRecord
from courses.domain.errors import OfferClosed
from courses.domain.rules import RegistrationStatus
from courses.services import tokens
from courses.services.context import ServiceContext
from courses.services.notices import notice, queue
from courses.services.offers import answers, expiry
from courses.services.offers.answers import OfferAnswer
from courses.services.registration.cancellation import cancel_registration
from courses.services.seats import offer_seats
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage import offers, registrations
from courses.storage.courses import load_course
from courses.storage.payloads import OfferLapsed
from courses.storage.seats import counters
from courses.storage.tables import course_table, registration_table
from tests.concurrency.gate import ReadGate
from tests.offer_course_support import FIRST_START, full_offer_course, offer_row
from tests.services.outbox_rows import mails_since, outbox_mark

pytestmark = pytest.mark.slow

S = RegistrationStatus
RUSH = 12
HOLDING = [S.CONFIRMED.value, S.PENDING_APPROVAL.value, S.OFFERED.value]


def clocked(ctx: ServiceContext, when: datetime) -> ServiceContext:
    """Another process over the same database whose clock says `when`."""
    return ServiceContext(db=ctx.db, clock=FixedClock(when), settings=ctx.settings)


async def seat_count(ctx: ServiceContext, slug: str) -> tuple[int, int]:
    """(the course's seat counter, its registrations that hold a seat)."""
    course, reg = course_table.c, registration_table.c
    async with ctx.db.read() as conn:
        course_id, counter = (
            await conn.execute(select(course.id, course.confirmed_count).where(course.slug == slug))
        ).one()
        holding = await conn.execute(
            select(func.count()).where(reg.course_id == course_id, reg.status.in_(HOLDING))
        )
        return int(counter), int(holding.scalar_one())


# --- Many accept one open seat -----------------------------------------------------------------


async def _open_rush(ctx: ServiceContext, answer: Any) -> list[OfferAnswer | BaseException]:
    """The last window: one seat frees up, RUSH people told of it all accept at once."""
    seated, queued = await full_offer_course(ctx, waiting=RUSH)
    ctx.clock.set(FIRST_START - timedelta(hours=6))  # type: ignore[attr-defined]
    assert len(await cancel_registration(ctx, seated[0].token)) == RUSH
    return list(
        await asyncio.gather(
            *(answer(ctx, q.token, accept=True) for q in queued), return_exceptions=True
        )
    )


async def test_many_accepting_one_open_seat_at_once_give_it_to_exactly_one(
    seeded: ServiceContext,
) -> None:
    results = await _open_rush(seeded, answers.answer_offer)

    won = [r for r in results if isinstance(r, OfferAnswer)]
    refused = [r for r in results if isinstance(r, OfferClosed)]
    assert len(won) == 1, results
    assert won[0].status is S.CONFIRMED
    assert len(refused) == RUSH - 1
    assert {(r.code, r.taken) for r in refused} == {("offer-taken", True)}
    assert sorted(r.waitlist_position or 0 for r in refused) == list(range(1, RUSH))
    assert await seat_count(seeded, "erbjudande-2022") == (2, 2)
    assert len(await mails_since(seeded, kind="offer_gone")) == RUSH - 1


def _naive_answer(gate: ReadGate) -> Any:
    async def answer(ctx: ServiceContext, token: str, *, accept: bool) -> OfferAnswer:
        """The bug the lock and the conditional seat claim prevent: read whether a seat is
        free, check it in Python, then take it."""
        now = ctx.clock.now()
        async with ctx.db.read() as conn:
            found = await registrations.by_token_hash(conn, tokens.hash_token(token))
            assert found is not None
            course = await load_course(conn, found.course_slug)
            offer = await offers.offer_of(conn, found.id)
        await gate.after_read()
        assert course is not None
        if not offer.open_at(now) or not course.has_room():
            raise OfferClosed("Platsen gick till någon annan.", taken=True)
        async with ctx.db.write() as conn:
            await conn.execute(
                update(course_table)
                .where(course_table.c.id == course.id)
                .values(confirmed_count=course_table.c.confirmed_count + 1)
            )
            await offers.accept_open(conn, found.id, now=now, status=S.CONFIRMED)
        return OfferAnswer(accepted=True, status=S.CONFIRMED)

    return answer


async def test_control_without_the_guard_the_open_seat_goes_to_more_than_one(
    seeded: ServiceContext,
) -> None:
    results = await _open_rush(seeded, _naive_answer(ReadGate()))

    assert sum(isinstance(r, OfferAnswer) for r in results) > 1
    counter, holding = await seat_count(seeded, "erbjudande-2022")
    assert counter > 2
    assert holding > 2


# --- The expiry racing the acceptance ----------------------------------------------------------


async def _held(ctx: ServiceContext, slug: str) -> tuple[Any, Any, datetime]:
    """A held offer on a full course: (the one offered, the next in line, when it is due)."""
    seated, queued = await full_offer_course(ctx, slug=slug)
    await cancel_registration(ctx, seated[0].token)
    due = (await offer_row(ctx, queued[0].id)).due_at
    assert due is not None
    return queued[0], queued[1], due


async def _expiry_racing_acceptance(
    ctx: ServiceContext, slug: str, *, worker_first: bool = False
) -> tuple[Any, Any, list[Any]]:
    """(the one offered, the next in line, [the answer or its refusal, how many lapsed])."""
    offered, following, due = await _held(ctx, slug)
    late = clocked(ctx, due - timedelta(seconds=1))  # the registrant's click, just in time
    worker = clocked(ctx, due)  # the worker's round, just past
    racers = [
        answers.answer_offer(late, offered.token, accept=True),
        expiry.lapse_due_offers(worker),
    ]
    if worker_first:
        racers.reverse()
    results = list(await asyncio.gather(*racers, return_exceptions=True))
    if worker_first:
        results.reverse()
    return offered, following, results


@pytest.mark.parametrize("worker_first", [False, True], ids=["click-first", "worker-first"])
async def test_an_offers_expiry_racing_its_acceptance_has_one_outcome(
    seeded: ServiceContext, worker_first: bool
) -> None:
    slug = "erbjudande"
    mark = await outbox_mark(seeded)

    offered, following, (answer, lapsed) = await _expiry_racing_acceptance(
        seeded, slug, worker_first=worker_first
    )

    told = await mails_since(seeded, mark)
    mails = Counter(m.kind for m in told if m.registration_id == offered.id)
    offered_next = (await offer_row(seeded, following.id)).status is S.OFFERED
    if isinstance(answer, OfferAnswer):  # accepted first: nothing lapsed
        assert (answer.status, lapsed) == (S.CONFIRMED, 0)
        assert (await offer_row(seeded, offered.id)).status is S.CONFIRMED
        assert "offer_lapsed" not in mails
        assert mails["promoted"] == 2  # the two sessions' invites
        assert not offered_next
    else:  # lapsed first: the acceptance is refused with the place now
        assert isinstance(answer, OfferClosed), answer
        assert (lapsed, answer.waitlist_position) == (1, 2)
        assert (await offer_row(seeded, offered.id)).status is S.WAITLISTED
        assert (mails["offer_lapsed"], mails["promoted"]) == (1, 0)
        assert offered_next
    assert await seat_count(seeded, slug) == (2, 2)


def _naive_lapse(gate: ReadGate) -> tuple[Any, Any]:
    """The bug the re-check under the lock and the conditional UPDATE prevent: the worker
    trusts its list of due offers, read before its transaction, and writes regardless."""
    real_due = offers.due

    async def due(conn: Any, *, now: datetime) -> list[tuple[int, int]]:
        found = await real_due(conn, now=now)
        await gate.after_read()
        return found

    async def lapse_locked(
        conn: Any,
        ctx: ServiceContext,
        registration_id: int,
        course: CourseRecord,
        *,
        queue_no: int,
        now: datetime,
    ) -> bool:
        row = (await registrations.by_ids(conn, [registration_id]))[registration_id]
        await counters.release_seat(conn, course_id=course.id, format_id=row.format_id)
        await promote_waitlisted(
            conn, course, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
        )
        await conn.execute(
            update(registration_table)
            .where(registration_table.c.id == registration_id)
            .values(status=S.WAITLISTED.value, queue_no=queue_no, offer_outcome="lapsed")
        )
        lapsed = OfferLapsed(waitlist_position=1)
        await queue(conn, [notice(registration_id, lapsed)], now=now)
        return True

    return due, lapse_locked


async def test_control_without_the_guard_an_accepted_offer_lapses_too(
    seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = ReadGate()
    due, lapse_locked = _naive_lapse(gate)
    monkeypatch.setattr(offers, "due", due)
    monkeypatch.setattr(expiry, "lapse_locked", lapse_locked)
    real_accept = offer_seats.accept_locked

    async def accept_locked(*args: Any, **kwargs: Any) -> Any:
        await gate.after_read()  # the status is read under the lock: the worker read before
        return await real_accept(*args, **kwargs)

    monkeypatch.setattr(answers, "accept_locked", accept_locked)
    mark = await outbox_mark(seeded)

    offered, following, (answer, lapsed) = await _expiry_racing_acceptance(seeded, "erbjudande")

    assert isinstance(answer, OfferAnswer)
    assert lapsed == 1
    kinds = {m.kind for m in await mails_since(seeded, mark) if m.registration_id == offered.id}
    assert {"promoted", "offer_lapsed"} <= kinds  # told both: the seat is yours, and it is not
    assert (await offer_row(seeded, following.id)).status is S.OFFERED


# --- Two workers -------------------------------------------------------------------------------


async def _two_workers(ctx: ServiceContext) -> tuple[Any, list[int], int]:
    """(the one offered, what each worker lapsed, the outbox before the workers ran)."""
    offered, _, due = await _held(ctx, "erbjudande")
    mark = await outbox_mark(ctx)
    one, other = clocked(ctx, due), clocked(ctx, due + timedelta(seconds=1))
    lapsed = await asyncio.gather(expiry.lapse_due_offers(one), expiry.lapse_due_offers(other))
    return offered, list(lapsed), mark


async def test_two_workers_let_an_offer_lapse_once_and_offer_the_seat_once(
    seeded: ServiceContext,
) -> None:
    offered, lapsed, mark = await _two_workers(seeded)

    assert sorted(lapsed) == [0, 1]
    assert len(await mails_since(seeded, mark, kind="offered")) == 1
    assert len(await mails_since(seeded, mark, kind="offer_lapsed")) == 1
    assert (await offer_row(seeded, offered.id)).status is S.WAITLISTED
    assert await seat_count(seeded, "erbjudande") == (2, 2)


async def test_control_without_the_guard_two_workers_offer_the_seat_twice(
    seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    due, lapse_locked = _naive_lapse(ReadGate())
    monkeypatch.setattr(offers, "due", due)
    monkeypatch.setattr(expiry, "lapse_locked", lapse_locked)

    _, lapsed, mark = await _two_workers(seeded)

    assert lapsed == [1, 1]
    assert len(await mails_since(seeded, mark, kind="offered")) == 2
    _, holding = await seat_count(seeded, "erbjudande")
    assert holding > 2  # two people hold the one freed seat
