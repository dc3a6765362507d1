"""When registration opens and closes, and when sessions begin, in Europe/Stockholm.

The clocks change on 2022-03-27 (02:00 CET -> 03:00 CEST, a 23-hour day) and on 2022-10-30
(03:00 CEST -> 02:00 CET, a 25-hour day). Expected instants are written in UTC so that the
tests do not lean on the code's own time zone arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses.domain.timing import (
    SessionTime,
    local_midnight,
    registration_closes_at,
    registration_opens_at,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


# --- the deadline ("sista anmälningsdag") ---------------------------------------------------


def test_deadline_closes_at_midnight_local_time_after_the_deadline_day() -> None:
    closes = registration_closes_at(date(2022, 3, 20), STOCKHOLM)

    assert closes == utc(2022, 3, 20, 23, 0)  # 2022-03-21 00:00 CET
    assert closes.tzinfo is UTC


def test_last_second_of_the_deadline_day_is_before_closing() -> None:
    closes = registration_closes_at(date(2022, 3, 20), STOCKHOLM)

    assert local(2022, 3, 20, 23, 59, 59) < closes
    assert local(2022, 3, 21, 0, 0, 0) >= closes


def test_summer_deadline_closes_at_local_midnight_in_cest() -> None:
    closes = registration_closes_at(date(2022, 9, 1), STOCKHOLM)

    assert closes == utc(2022, 9, 1, 22, 0)  # 2022-09-02 00:00 CEST


@pytest.mark.parametrize(
    ("deadline", "closes_utc"),
    [
        # The night before the spring change: the next midnight is still CET (+01).
        (date(2022, 3, 26), utc(2022, 3, 26, 23, 0)),
        # The 23-hour day itself: it ends at midnight CEST (+02).
        (date(2022, 3, 27), utc(2022, 3, 27, 22, 0)),
        # The night before the autumn change: the next midnight is still CEST (+02).
        (date(2022, 10, 29), utc(2022, 10, 29, 22, 0)),
        # The 25-hour day itself: it ends at midnight CET (+01).
        (date(2022, 10, 30), utc(2022, 10, 30, 23, 0)),
    ],
)
def test_deadline_around_daylight_saving_changes_closes_at_local_midnight(
    deadline: date, closes_utc: datetime
) -> None:
    assert registration_closes_at(deadline, STOCKHOLM) == closes_utc


def test_deadline_on_the_spring_change_day_is_open_for_23_hours() -> None:
    opened = local_midnight(date(2022, 3, 27), STOCKHOLM)
    closes = registration_closes_at(date(2022, 3, 27), STOCKHOLM)

    assert opened == utc(2022, 3, 26, 23, 0)
    assert closes - opened == timedelta(hours=23)


def test_deadline_on_the_autumn_change_day_is_open_for_25_hours() -> None:
    opened = local_midnight(date(2022, 10, 30), STOCKHOLM)
    closes = registration_closes_at(date(2022, 10, 30), STOCKHOLM)

    assert opened == utc(2022, 10, 29, 22, 0)
    assert closes - opened == timedelta(hours=25)


@pytest.mark.parametrize(
    ("deadline", "last_second_utc", "first_closed_utc"),
    [
        (date(2022, 3, 26), utc(2022, 3, 26, 22, 59, 59), utc(2022, 3, 26, 23, 0, 0)),
        (date(2022, 3, 27), utc(2022, 3, 27, 21, 59, 59), utc(2022, 3, 27, 22, 0, 0)),
        (date(2022, 10, 29), utc(2022, 10, 29, 21, 59, 59), utc(2022, 10, 29, 22, 0, 0)),
        (date(2022, 10, 30), utc(2022, 10, 30, 22, 59, 59), utc(2022, 10, 30, 23, 0, 0)),
    ],
)
def test_deadline_boundary_to_the_second_across_daylight_saving_changes(
    deadline: date, last_second_utc: datetime, first_closed_utc: datetime
) -> None:
    closes = registration_closes_at(deadline, STOCKHOLM)

    assert last_second_utc < closes
    assert first_closed_utc >= closes


def test_closing_instant_compares_equal_to_local_midnight_in_any_zone() -> None:
    closes = registration_closes_at(date(2022, 3, 27), STOCKHOLM)

    assert closes == local(2022, 3, 28, 0, 0)
    assert closes == datetime(2022, 3, 27, 18, 0, tzinfo=ZoneInfo("America/New_York"))


# --- the opening date ------------------------------------------------------------------------


def test_without_an_opening_date_registration_has_no_opening_instant() -> None:
    assert registration_opens_at(None, STOCKHOLM) is None


def test_opening_day_opens_at_local_midnight() -> None:
    opens = registration_opens_at(date(2022, 4, 1), STOCKHOLM)

    assert opens == utc(2022, 3, 31, 22, 0)  # 2022-04-01 00:00 CEST
    assert local(2022, 3, 31, 23, 59, 59) < opens
    assert local(2022, 4, 1, 0, 0, 0) >= opens


@pytest.mark.parametrize(
    ("opens", "opens_utc"),
    [
        (date(2022, 3, 27), utc(2022, 3, 26, 23, 0)),  # CET midnight, before the change
        (date(2022, 3, 28), utc(2022, 3, 27, 22, 0)),  # first CEST midnight
        (date(2022, 10, 30), utc(2022, 10, 29, 22, 0)),  # CEST midnight, before the change
        (date(2022, 10, 31), utc(2022, 10, 30, 23, 0)),  # first CET midnight
    ],
)
def test_opening_day_around_daylight_saving_changes_opens_at_local_midnight(
    opens: date, opens_utc: datetime
) -> None:
    assert registration_opens_at(opens, STOCKHOLM) == opens_utc


# --- sessions ---------------------------------------------------------------------------------


def test_session_without_times_is_all_day() -> None:
    assert SessionTime(date(2022, 9, 14)).all_day
    assert not SessionTime(date(2022, 9, 14), time(9), time(16)).all_day


def test_all_day_session_starts_and_ends_at_local_midnight() -> None:
    session = SessionTime(date(2022, 9, 14))

    assert session.starts_at(STOCKHOLM) == utc(2022, 9, 13, 22, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 9, 14, 22, 0)


def test_timed_session_starts_and_ends_at_its_local_times() -> None:
    session = SessionTime(date(2022, 4, 5), time(9), time(16))

    assert session.starts_at(STOCKHOLM) == utc(2022, 4, 5, 7, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 4, 5, 14, 0)


def test_winter_session_is_one_hour_ahead_of_utc() -> None:
    session = SessionTime(date(2022, 11, 8), time(9), time(16))

    assert session.starts_at(STOCKHOLM) == utc(2022, 11, 8, 8, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 11, 8, 15, 0)


def test_timed_session_on_the_spring_change_day_uses_summer_time() -> None:
    session = SessionTime(date(2022, 3, 27), time(9), time(16))

    assert session.starts_at(STOCKHOLM) == utc(2022, 3, 27, 7, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 3, 27, 14, 0)


def test_timed_session_on_the_autumn_change_day_uses_winter_time() -> None:
    session = SessionTime(date(2022, 10, 30), time(9), time(12))

    assert session.starts_at(STOCKHOLM) == utc(2022, 10, 30, 8, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 10, 30, 11, 0)


def test_all_day_session_on_the_spring_change_day_lasts_23_hours() -> None:
    session = SessionTime(date(2022, 3, 27))

    assert session.starts_at(STOCKHOLM) == utc(2022, 3, 26, 23, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 3, 27, 22, 0)
    assert session.ends_at(STOCKHOLM) - session.starts_at(STOCKHOLM) == timedelta(hours=23)


def test_all_day_session_on_the_autumn_change_day_lasts_25_hours() -> None:
    session = SessionTime(date(2022, 10, 30))

    assert session.starts_at(STOCKHOLM) == utc(2022, 10, 29, 22, 0)
    assert session.ends_at(STOCKHOLM) == utc(2022, 10, 30, 23, 0)
    assert session.ends_at(STOCKHOLM) - session.starts_at(STOCKHOLM) == timedelta(hours=25)


def test_session_instants_are_in_utc() -> None:
    session = SessionTime(date(2022, 5, 18), time(9), time(12))

    assert session.starts_at(STOCKHOLM).tzinfo is UTC
    assert session.ends_at(STOCKHOLM).tzinfo is UTC
    assert SessionTime(date(2022, 5, 18)).ends_at(STOCKHOLM).tzinfo is UTC
