"""`approval = "manager"` and `approval_days` in a schedule file."""

from __future__ import annotations

import pytest

from courses.schedule import ScheduleError, parse_schedule

COURSE = """
[[course]]
slug = "chefskurs"
title = "Chefskurs"
deadline = 2022-04-20
{extra}
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""


def _days(extra: str) -> int | None:
    (course,) = parse_schedule(COURSE.format(extra=extra)).course
    return course.answer_days


def test_manager_approval_gives_seven_days_unless_told() -> None:
    assert _days('approval = "manager"') == 7
    assert _days('approval = "manager"\napproval_days = 3') == 3
    assert _days("") is None


def test_approval_days_without_approval_is_an_error_with_its_place() -> None:
    with pytest.raises(ScheduleError) as refused:
        parse_schedule(COURSE.format(extra="approval_days = 3"))

    (problem,) = refused.value.problems
    assert problem.place.endswith("approval_days")
    assert "approval" in problem.message


def test_an_unknown_approval_kind_is_refused() -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(COURSE.format(extra='approval = "hr"'))
