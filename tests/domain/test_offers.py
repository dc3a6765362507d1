"""How a freed seat goes to the waitlist (`plan_offer`): at once, held until a time, open to
everyone in the last window, or not at all once the course began."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from courses.domain.offers import OfferKind, OfferPlan, plan_offer

START = datetime(2022, 9, 14, 7, 0, tzinfo=UTC)  # 09.00 in Stockholm
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def plan(now: datetime, *, hours: int = 48, until: int = 24, start: datetime = START) -> OfferPlan:
    return plan_offer(offer_hours=hours, offer_until_hours=until, first_start=start, now=now)


def test_a_seat_freed_well_before_is_held_for_offer_hours() -> None:
    now = START - timedelta(days=10)

    assert plan(now) == OfferPlan(OfferKind.HELD, due_at=now + timedelta(hours=48))


def test_the_hold_ends_where_the_last_window_begins() -> None:
    assert plan(START - timedelta(hours=30)) == OfferPlan(
        OfferKind.HELD, due_at=START - timedelta(hours=24)
    )


def test_inside_the_last_window_the_offer_is_open_until_the_course_begins() -> None:
    assert plan(START - timedelta(hours=24)) == OfferPlan(OfferKind.OPEN, due_at=START)
    assert plan(START - timedelta(seconds=1)) == OfferPlan(OfferKind.OPEN, due_at=START)


def test_no_last_window_holds_until_the_start() -> None:
    assert plan(START - timedelta(hours=1), until=0) == OfferPlan(OfferKind.HELD, due_at=START)


def test_nothing_is_offered_once_the_course_began_or_without_a_session() -> None:
    assert plan(START).kind is OfferKind.NONE
    assert plan(START + timedelta(days=1)).kind is OfferKind.NONE
    assert plan_offer(offer_hours=48, offer_until_hours=24, first_start=None, now=START).kind is (
        OfferKind.NONE
    )


def test_without_offer_hours_the_seat_is_promoted_at_once() -> None:
    assert plan(START - timedelta(hours=1), hours=0) == OfferPlan(OfferKind.PROMOTE)
    assert plan(START, hours=0).kind is OfferKind.NONE  # not after the start either


def test_offer_hours_are_real_hours_across_the_autumn_clock_change() -> None:
    # Saturday 29 October 2022 07.00 summer time; summer time ends at 03.00 on the Sunday.
    now = datetime(2022, 10, 29, 7, 0, tzinfo=STOCKHOLM)
    start = datetime(2022, 11, 7, 9, 0, tzinfo=STOCKHOLM).astimezone(UTC)

    due = plan(now, hours=24, start=start).due_at

    assert due == datetime(2022, 10, 30, 5, 0, tzinfo=UTC)
    assert due is not None
    assert due - now == timedelta(hours=24)
    assert due.astimezone(STOCKHOLM).hour == 6  # 06.00 winter time, not 07.00
