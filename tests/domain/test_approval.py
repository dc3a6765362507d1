"""Manager approval's rules: until when a manager may answer, the reminder half-way, whose
address may approve. Plain values, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from courses.domain.approval import (
    approval_period,
    check_manager_email,
    last_answer_day,
    waiting_text,
)
from courses.domain.errors import InvalidInput, NotEligible
from tests.conftest import STOCKHOLM, local


def test_the_manager_may_answer_through_the_last_day_and_not_after() -> None:
    period = approval_period(local(2022, 9, 2, 14, 30), days=7, tz=STOCKHOLM, course_starts_at=None)

    assert period.due_at == local(2022, 9, 10, 0, 0)
    assert last_answer_day(period.due_at, STOCKHOLM).isoformat() == "2022-09-09"
    assert waiting_text(period.due_at, STOCKHOLM) == (
        "Väntar på chefens godkännande till och med 9 september 2022"
    )


def test_the_reminder_is_half_way_through_the_period() -> None:
    asked = local(2022, 9, 2, 12, 0)
    period = approval_period(asked, days=7, tz=STOCKHOLM, course_starts_at=None)

    assert period.remind_at - asked == period.due_at - period.remind_at
    assert period.remind_at == local(2022, 9, 6, 6, 0)


def test_a_period_across_the_autumn_clock_change_ends_at_local_midnight() -> None:
    # Summer time ends 30 October 2022: the period is an hour longer in real time.
    asked = local(2022, 10, 27, 9, 0)
    period = approval_period(asked, days=7, tz=STOCKHOLM, course_starts_at=None)

    assert period.due_at == datetime(2022, 11, 3, 23, 0, tzinfo=UTC)  # 00.00 CET
    assert period.due_at.astimezone(STOCKHOLM).hour == 0
    assert period.due_at - period.asked_at == timedelta(days=7, hours=16)
    assert period.remind_at == period.asked_at + timedelta(days=3, hours=20)


def test_a_period_across_the_spring_clock_change_ends_at_local_midnight() -> None:
    # Summer time begins 27 March 2022: the period is an hour shorter in real time.
    asked = local(2022, 3, 24, 9, 0)
    period = approval_period(asked, days=7, tz=STOCKHOLM, course_starts_at=None)

    assert period.due_at == datetime(2022, 3, 31, 22, 0, tzinfo=UTC)  # 00.00 CEST
    assert period.due_at - period.asked_at == timedelta(days=7, hours=14)


def test_the_period_never_runs_past_the_course_start() -> None:
    starts = local(2022, 9, 5, 9, 0)
    period = approval_period(local(2022, 9, 2, 8, 0), days=7, tz=STOCKHOLM, course_starts_at=starts)

    assert period.due_at == starts
    assert last_answer_day(period.due_at, STOCKHOLM).isoformat() == "2022-09-05"
    assert period.remind_at == local(2022, 9, 3, 20, 30)


def test_a_course_starting_after_the_period_does_not_shorten_it() -> None:
    period = approval_period(
        local(2022, 9, 2, 8, 0), days=3, tz=STOCKHOLM, course_starts_at=local(2022, 10, 1, 9, 0)
    )

    assert period.due_at == local(2022, 9, 6, 0, 0)


def _check(manager: str | None, email: str = "kim@vaxjo.se") -> str:
    return check_manager_email(
        manager, email=email, employer_name="Växjö kommun", employer_domains=["vaxjo.se"]
    )


def test_the_manager_must_work_for_the_same_employer() -> None:
    assert _check("Chef@Vaxjo.se") == "Chef@Vaxjo.se"
    assert _check("chef@it.vaxjo.se") == "chef@it.vaxjo.se"  # subdomains count
    with pytest.raises(NotEligible) as refused:
        _check("chef@ljungby.se")
    assert refused.value.field == "manager_email"
    assert "hör inte till Växjö kommun" in refused.value.detail


def test_the_manager_address_is_required() -> None:
    for missing in (None, "", "   "):
        with pytest.raises(InvalidInput) as refused:
            _check(missing)
        assert [e.field for e in refused.value.errors] == ["manager_email"]


def test_nobody_approves_their_own_registration() -> None:
    with pytest.raises(NotEligible) as refused:
        _check("Kim+chef@vaxjo.se", email="kim@vaxjo.se")
    assert refused.value.field == "manager_email"
