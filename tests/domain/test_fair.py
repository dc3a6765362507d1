"""Fair seats as a rule: when the share applies and what it allows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from courses.domain.fair_seats import (
    Share,
    active_share,
    at_share,
    share_line,
    share_of,
    waitlisted_by_share,
)

TZ = ZoneInfo("Europe/Stockholm")
DEADLINE = date(2022, 9, 1)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def test_a_course_without_per_employer_has_no_share() -> None:
    assert share_of(None, None, DEADLINE) is None
    assert active_share(None, None, DEADLINE, now=local(2022, 8, 1), tz=TZ) is None


def test_the_share_lasts_until_the_deadline_by_default() -> None:
    assert share_of(1, None, DEADLINE) == Share(1, DEADLINE)


def test_the_share_lasts_through_the_whole_of_its_last_day() -> None:
    share = Share(1, date(2022, 8, 25))

    assert share.applies(local(2022, 8, 25, 23, 59, 59), TZ)
    assert not share.applies(local(2022, 8, 26, 0, 0), TZ)


def test_the_share_ends_at_local_midnight_across_daylight_saving() -> None:
    # 30 October 2022: summer time ends in Sweden; the next midnight is 23:00 UTC.
    assert Share(2, date(2022, 10, 30)).ends_at(TZ) == datetime(2022, 10, 30, 23, 0, tzinfo=UTC)
    assert Share(2, date(2022, 3, 27)).ends_at(TZ) == datetime(2022, 3, 27, 22, 0, tzinfo=UTC)


def test_an_ended_share_is_not_active() -> None:
    found = active_share(1, date(2022, 8, 25), DEADLINE, now=local(2022, 8, 26, 8), tz=TZ)

    assert found is None


def test_an_employer_at_its_share_gets_no_further_seat() -> None:
    share = Share(2, DEADLINE)

    assert not at_share(share, 1)
    assert at_share(share, 2)
    assert at_share(share, 3)
    assert not at_share(None, 50)


def test_the_share_is_worded_in_swedish() -> None:
    assert share_line(Share(1, date(2022, 8, 25))) == (
        "Högst 1 plats per arbetsgivare till och med 25 augusti"
    )
    assert share_line(Share(3, date(2022, 8, 25))).startswith("Högst 3 platser per arbetsgivare")
    assert waitlisted_by_share(Share(1, date(2022, 8, 25))) == (
        "Varje arbetsgivare får högst 1 plats till och med 25 augusti; du står på reservlistan "
        "och får en plats om det finns någon kvar när fördelningen upphör."
    )
