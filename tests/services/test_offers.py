"""Timed offers from the waitlist (`offer_hours`): a freed seat held for the first person
waiting, accepted, declined or let lapse; offered to everyone in the last window; never after
the course began; on SQLite and PostgreSQL, with the clock shifted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from courses.domain.errors import OfferClosed, RegistrationNotFound
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.housekeeping import housekeeping
from courses.services.offers.answers import answer_offer
from courses.services.offers.expiry import lapse_due_offers
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from tests.conftest import ASI, STOCKHOLM, fill_asi, local
from tests.offer_course_support import (
    FIRST_START,
    at,
    full_offer_course,
    offer_course,
    offer_row,
    seats_left,
)
from tests.services.outbox_rows import mails_since, outbox_mark

S = RegistrationStatus


def due_of(payload: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(payload["due_at"]))


async def position(ctx: ServiceContext, token: str) -> int | None:
    return (await get_registration(ctx, token)).waitlist_position


async def test_a_cancellation_holds_the_seat_for_the_first_waiting_for_48_hours(
    seeded: ServiceContext,
) -> None:
    seated, queued = await full_offer_course(seeded)
    now = seeded.clock.now()
    mark = await outbox_mark(seeded)

    offered = await cancel_registration(seeded, seated[0].token)

    assert offered == [queued[0].id]
    row = await offer_row(seeded, queued[0].id)
    assert (row.status, row.offered_at, row.due_at) == (S.OFFERED, now, now + timedelta(hours=48))
    assert row.outcome is None
    assert await seats_left(seeded) == 0  # the held seat still counts
    assert [(await offer_row(seeded, q.id)).status for q in queued[1:]] == [S.WAITLISTED] * 2
    assert await position(seeded, queued[1].token) == 1
    (mail,) = await mails_since(seeded, mark, kind="offered")
    assert mail.registration_id == queued[0].id
    assert (due_of(mail.payload), mail.payload.get("open", False)) == (row.due_at, False)
    assert await mails_since(seeded, mark, kind="promoted") == []


async def test_the_answer_time_ends_where_the_last_window_begins(seeded: ServiceContext) -> None:
    seated, queued = await full_offer_course(seeded)
    at(seeded, FIRST_START - timedelta(hours=50))

    await cancel_registration(seeded, seated[0].token)

    assert (await offer_row(seeded, queued[0].id)).due_at == FIRST_START - timedelta(hours=24)


async def test_accepting_confirms_with_the_invites(seeded: ServiceContext) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    mark = await outbox_mark(seeded)

    answer = await answer_offer(seeded, queued[0].token, accept=True)

    assert (answer.accepted, answer.status) == (True, S.CONFIRMED)
    row = await offer_row(seeded, queued[0].id)
    assert (row.status, row.outcome) == (S.CONFIRMED, "accepted")
    promoted = await mails_since(seeded, mark, kind="promoted")
    assert {m.registration_id for m in promoted} == {queued[0].id}
    assert {m.payload.get("accepted") for m in promoted} == {True}
    assert {m.method for m in promoted} == {"REQUEST"}
    assert await seats_left(seeded) == 0
    with pytest.raises(OfferClosed, match="redan tackat ja"):
        await answer_offer(seeded, queued[0].token, accept=True)


async def test_declining_leaves_the_queue_and_the_next_is_offered(seeded: ServiceContext) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    mark = await outbox_mark(seeded)

    answer = await answer_offer(seeded, queued[0].token, accept=False)

    assert answer.status is S.CANCELLED
    first = await offer_row(seeded, queued[0].id)
    assert (first.status, first.outcome) == (S.CANCELLED, "declined")
    assert (await offer_row(seeded, queued[1].id)).status is S.OFFERED
    assert [m.registration_id for m in await mails_since(seeded, mark, kind="offer_declined")] == [
        queued[0].id
    ]
    assert [m.registration_id for m in await mails_since(seeded, mark, kind="offered")] == [
        queued[1].id
    ]
    assert await seats_left(seeded) == 0


async def test_a_lapsed_offer_goes_back_last_in_line_and_the_next_is_offered(
    seeded: ServiceContext,
) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    due = (await offer_row(seeded, queued[0].id)).due_at
    assert due is not None
    at(seeded, due - timedelta(seconds=1))
    assert await lapse_due_offers(seeded) == 0  # not yet
    at(seeded, due)
    mark = await outbox_mark(seeded)

    assert await lapse_due_offers(seeded) == 1

    lapsed = await offer_row(seeded, queued[0].id)
    assert (lapsed.status, lapsed.outcome) == (S.WAITLISTED, "lapsed")
    assert (await offer_row(seeded, queued[1].id)).status is S.OFFERED
    assert await position(seeded, queued[2].token) == 1
    assert await position(seeded, queued[0].token) == 2  # last in line
    (told,) = await mails_since(seeded, mark, kind="offer_lapsed")
    assert (told.registration_id, told.payload["waitlist_position"]) == (queued[0].id, 2)
    assert [m.registration_id for m in await mails_since(seeded, mark, kind="offered")] == [
        queued[1].id
    ]
    assert await seats_left(seeded) == 0
    assert await lapse_due_offers(seeded) == 0  # once


async def test_a_lapsed_offer_with_nobody_else_waiting_is_offered_again_not_left_free(
    seeded: ServiceContext,
) -> None:
    seated, (alone,) = await full_offer_course(seeded, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    first_due = (await offer_row(seeded, alone.id)).due_at
    assert first_due is not None
    at(seeded, first_due)
    mark = await outbox_mark(seeded)

    assert await lapse_due_offers(seeded) == 1

    again = await offer_row(seeded, alone.id)
    assert again.status is S.OFFERED
    assert again.due_at is not None
    assert again.due_at > first_due
    assert await seats_left(seeded) == 0  # held for them, not left to a newcomer
    assert [m.registration_id for m in await mails_since(seeded, mark, kind="offered")] == [
        alone.id
    ]
    assert await mails_since(seeded, mark, kind="offer_lapsed") == []


async def test_accepting_after_the_lapse_is_refused_with_the_place_now(
    seeded: ServiceContext,
) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    at(seeded, seeded.clock.now() + timedelta(hours=48))
    await lapse_due_offers(seeded)

    with pytest.raises(OfferClosed, match=r"gått ut.*plats 2") as refused:
        await answer_offer(seeded, queued[0].token, accept=True)

    assert (refused.value.code, refused.value.waitlist_position) == ("offer-closed", 2)
    assert (await offer_row(seeded, queued[0].id)).status is S.WAITLISTED


async def test_accepting_a_held_offer_past_its_time_before_the_worker_ran_is_refused(
    seeded: ServiceContext,
) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    at(seeded, seeded.clock.now() + timedelta(hours=48))

    with pytest.raises(OfferClosed, match="gått ut"):
        await answer_offer(seeded, queued[0].token, accept=True)

    assert (await offer_row(seeded, queued[0].id)).status is S.OFFERED  # the worker lapses it
    assert await seats_left(seeded) == 0


async def test_the_worker_round_lets_due_offers_lapse(seeded: ServiceContext) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    at(seeded, seeded.clock.now() + timedelta(hours=49))

    await housekeeping(seeded)

    assert (await offer_row(seeded, queued[0].id)).status is S.WAITLISTED
    assert (await offer_row(seeded, queued[1].id)).status is S.OFFERED


async def test_in_the_last_window_everyone_waiting_is_offered_and_the_first_gets_it(
    seeded: ServiceContext,
) -> None:
    seated, queued = await full_offer_course(seeded)
    at(seeded, FIRST_START - timedelta(hours=10))
    mark = await outbox_mark(seeded)

    told = await cancel_registration(seeded, seated[0].token)

    assert told == sorted(q.id for q in queued)
    rows = [await offer_row(seeded, q.id) for q in queued]
    assert {(r.status, r.offered_at, r.due_at, r.outcome) for r in rows} == {
        (S.WAITLISTED, seeded.clock.now(), FIRST_START, None)
    }
    offered = await mails_since(seeded, mark, kind="offered")
    assert sorted(m.registration_id for m in offered) == told
    assert {m.payload["open"] for m in offered} == {True}
    assert await seats_left(seeded) == 1  # nothing held in the last window

    answer = await answer_offer(seeded, queued[1].token, accept=True)

    assert answer.status is S.CONFIRMED
    assert await seats_left(seeded) == 0
    others = [queued[0], queued[2]]
    assert {(await offer_row(seeded, q.id)).outcome for q in others} == {"gone"}
    gone = await mails_since(seeded, mark, kind="offer_gone")
    assert sorted((m.registration_id, m.payload["waitlist_position"]) for m in gone) == [
        (queued[0].id, 1),
        (queued[2].id, 2),
    ]
    with pytest.raises(OfferClosed, match=r"hann svara före dig.*plats 2") as refused:
        await answer_offer(seeded, queued[2].token, accept=True)
    assert (refused.value.taken, refused.value.code) == (True, "offer-taken")
    assert refused.value.waitlist_position == 2


async def test_no_offer_is_made_once_the_first_session_began(seeded: ServiceContext) -> None:
    seated, queued = await full_offer_course(seeded)
    await cancel_registration(seeded, seated[0].token)
    at(seeded, FIRST_START)  # the worker was down until the course began
    mark = await outbox_mark(seeded)

    assert await lapse_due_offers(seeded) == 1

    assert [(await offer_row(seeded, q.id)).status for q in queued] == [S.WAITLISTED] * 3
    assert await mails_since(seeded, mark, kind="offered") == []
    with pytest.raises(OfferClosed, match="redan börjat"):
        await answer_offer(seeded, queued[1].token, accept=True)


async def test_without_offer_hours_the_first_waiting_is_promoted_at_once(
    seeded: ServiceContext,
) -> None:
    seated, queued = await fill_asi(seeded, waiting=2)
    mark = await outbox_mark(seeded)

    promoted = await cancel_registration(seeded, seated[0].token)

    assert promoted == [queued[0].id]
    assert (await offer_row(seeded, queued[0].id)).status is S.CONFIRMED
    assert (await offer_row(seeded, queued[0].id)).offered_at is None
    assert await mails_since(seeded, mark, kind="offered") == []
    assert await seats_left(seeded, ASI) == 0


async def test_an_unknown_link_is_not_found(seeded: ServiceContext) -> None:
    with pytest.raises(RegistrationNotFound):
        await answer_offer(seeded, "finns-inte", accept=True)


async def test_an_offer_over_the_autumn_clock_change_lasts_24_real_hours(
    seeded: ServiceContext,
) -> None:
    # Summer time ends at 03.00 on Sunday 30 October 2022; the course begins on Monday 09.00
    # winter time (08.00 UTC), and the last window is its 24 hours before.
    toml = offer_course(offer_hours=24, until_hours=24, day="2022-10-31").replace(
        "2022-09-21", "2022-11-07"
    )
    seated, queued = await full_offer_course(seeded, toml=toml.replace("2022-09-01", "2022-10-20"))
    at(seeded, local(2022, 10, 29, 7, 0))  # Saturday 07.00 summer time, 05.00 UTC

    await cancel_registration(seeded, seated[0].token)

    due = (await offer_row(seeded, queued[0].id)).due_at
    assert due == datetime(2022, 10, 30, 5, 0, tzinfo=UTC)  # 24 real hours, 06.00 winter time
    assert due.astimezone(STOCKHOLM).hour == 6
    first_start = datetime(2022, 10, 31, 8, 0, tzinfo=UTC)  # 09.00 winter time
    at(seeded, local(2022, 10, 29, 10, 30))  # 24 hours on would pass the last window
    await cancel_registration(seeded, seated[1].token)
    assert (await offer_row(seeded, queued[1].id)).due_at == first_start - timedelta(hours=24)
