"""`offer_hours` and `offer_until_hours` in a schedule file."""

from __future__ import annotations

import pytest

from courses.schedule import ScheduleError, parse_schedule
from courses.schedule.dump import dump_schedule
from tests.schedule.test_approval_schedule import COURSE


def _hours(extra: str) -> tuple[int, int]:
    (course,) = parse_schedule(COURSE.format(extra=extra)).course
    return course.offer_hours, course.offer_until_hours


def test_a_course_moves_people_up_at_once_unless_told_to_offer() -> None:
    assert _hours("") == (0, 24)
    assert _hours("offer_hours = 48") == (48, 24)
    assert _hours("offer_hours = 48\noffer_until_hours = 12") == (48, 12)
    assert _hours("offer_hours = 0\noffer_until_hours = 24") == (0, 24)


def test_a_last_window_without_offer_hours_is_an_error_with_its_place() -> None:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(COURSE.format(extra="offer_until_hours = 48"))

    (problem,) = refused.value.problems
    assert problem.place == "course[1] (chefskurs).offer_until_hours"
    assert problem.message == "offer_until_hours gäller bara en kurs med offer_hours över 0."


@pytest.mark.parametrize("extra", ["offer_hours = -1", "offer_hours = 721", 'offer_hours = "2"'])
def test_hours_that_are_no_hours_are_refused(extra: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(COURSE.format(extra=extra))

    assert [p.place for p in refused.value.problems] == ["course[1] (chefskurs).offer_hours"]


def test_the_written_file_leaves_the_defaults_out_and_reads_back() -> None:
    schedule = parse_schedule(COURSE.format(extra="offer_hours = 48\noffer_until_hours = 12"))
    plain = parse_schedule(COURSE.format(extra=""))

    text = dump_schedule(schedule)

    assert "offer_hours = 48" in text
    assert "offer_until_hours = 12" in text
    assert parse_schedule(text) == schedule
    assert "offer_" not in dump_schedule(plain)
