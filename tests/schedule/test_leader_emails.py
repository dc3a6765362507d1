"""A leader's address in a schedule file follows the same rule as a registrant's."""

from __future__ import annotations

import pytest

from courses.schedule import ScheduleError, parse_schedule
from courses.validation import EMAIL_MESSAGE, ONE_LINE_MESSAGE

COURSE = """
[[course]]
slug = "kurs"
title = "Kurs"
deadline = 2022-05-01
leaders = [{{ name = "{name}", email = "{email}" }}]
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""


def problems(name: str = "Anna Berg", email: str = "anna.berg@kronoberg.se") -> list[str]:
    try:
        parse_schedule(COURSE.format(name=name, email=email))
    except ScheduleError as exc:
        return [str(p) for p in exc.problems]
    return []


def test_a_leader_at_an_internationalised_domain_is_kept_as_its_a_label() -> None:
    schedule = parse_schedule(COURSE.format(name="Anna Berg", email="Anna@Växjö.se"))

    assert schedule.course[0].leaders[0].email == "Anna@xn--vxj-qla6g.se"


@pytest.mark.parametrize("email", ["åsa@kronoberg.se", "anna@xn--zz.se", "anna\\u001b@x.se"])
def test_an_undeliverable_leader_address_is_refused_with_its_place(email: str) -> None:
    assert problems(email=email) == [f"course[1] (kurs).leaders[1].email: {EMAIL_MESSAGE}"]


@pytest.mark.parametrize("name", ["\\u200b", "\\u001b", "\\u2060\\ufeff"])
def test_a_leader_name_that_shows_nothing_is_refused_with_its_place(name: str) -> None:
    assert problems(name=name) == [f"course[1] (kurs).leaders[1].name: {ONE_LINE_MESSAGE}"]
