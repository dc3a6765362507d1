"""`allocation = "lottery"` and `draw` in a schedule file: defaults and Swedish errors."""

from __future__ import annotations

from datetime import date

import pytest

from courses.schedule import ScheduleError, parse_schedule
from courses.schedule.lottery import draw_day


def course(extra: str, *, opens: str = "2022-06-01", deadline: str = "2022-09-01") -> str:
    return f"""
[[course]]
slug = "lotteri"
title = "Lotteri"
deadline = {deadline}
opens = {opens}
seats = 4
{extra}
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-09-14
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(text)
    return [str(problem) for problem in refused.value.problems]


def test_a_course_is_first_come_unless_it_says_lottery() -> None:
    [spec] = parse_schedule(course("")).course
    assert spec.allocation == "first_come"
    assert draw_day(spec) is None


def test_a_lottery_is_drawn_the_day_after_the_deadline_by_default() -> None:
    [spec] = parse_schedule(course('allocation = "lottery"')).course
    assert draw_day(spec) == date(2022, 9, 2)


def test_a_lottery_may_name_its_draw_day() -> None:
    [spec] = parse_schedule(course('allocation = "lottery"\ndraw = 2022-08-20')).course
    assert draw_day(spec) == date(2022, 8, 20)


def test_a_draw_day_without_a_lottery_is_refused() -> None:
    assert problems_of(course("draw = 2022-09-02")) == [
        "course[1] (lotteri).draw: Lottningsdag (draw) hör bara till kurser med "
        'allocation = "lottery".'
    ]


def test_the_draw_must_come_after_opening() -> None:
    assert problems_of(course('allocation = "lottery"\ndraw = 2022-06-01')) == [
        "course[1] (lotteri).draw: Lottningen (1 juni 2022) måste ligga efter dagen då "
        "anmälan öppnar (1 juni 2022)."
    ]


def test_the_draw_may_not_come_after_the_first_session_day() -> None:
    [problem] = problems_of(course('allocation = "lottery"\ndraw = 2022-09-15'))
    assert "ligger efter första kursdagen 14 september 2022" in problem
    [problem] = problems_of(course('allocation = "lottery"', deadline="2022-09-14"))
    assert "dagen efter sista anmälningsdag" in problem


def test_an_unknown_allocation_is_refused() -> None:
    [problem] = problems_of(course('allocation = "random"'))
    assert problem.startswith("course[1] (lotteri).allocation:")
