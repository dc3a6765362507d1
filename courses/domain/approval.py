"""Manager approval: until when a manager may answer, when they are reminded, whose address
may approve, and how the wait is worded.

A course with `approval = "manager"` gives the manager `approval_days` days: they may answer
through the whole of the local day `approval_days` after they were asked ("till och med 9
september"), and the registration is cancelled from 00:00 local time the next day, like a
deadline. The answer period never runs past the course's start: a manager asked two days
before the first session has until it begins. The one reminder goes half-way through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from courses.domain.addresses import domain_allowed, email_domain, normalize_email
from courses.domain.errors import DomainError, FieldError, InvalidInput, NotEligible
from courses.domain.rules import swedish_date
from courses.domain.timing import local_midnight

__all__ = [
    "DEFAULT_APPROVAL_DAYS",
    "ApprovalAnswered",
    "ApprovalPeriod",
    "approval_period",
    "check_manager_email",
    "last_answer_day",
    "waiting_text",
]

DEFAULT_APPROVAL_DAYS = 7
"""Days a manager has to answer when the schedule file names none."""


class ApprovalAnswered(DomainError):
    """The registration no longer waits for an answer: approved, declined, cancelled or run
    out of time. A second click on the same button gets this, and changes nothing."""

    code = "registration-closed"


@dataclass(frozen=True, slots=True)
class ApprovalPeriod:
    """When a manager was asked, when they are reminded, and from when it is too late."""

    asked_at: datetime
    remind_at: datetime
    due_at: datetime


def approval_period(
    asked_at: datetime, *, days: int, tz: ZoneInfo, course_starts_at: datetime | None
) -> ApprovalPeriod:
    """The period of a manager asked at `asked_at`, in UTC.

    Open through the local day `days` after the asking day: `due_at` is the next local
    midnight, computed with `zoneinfo`, so a period across a clock change still ends at
    00:00 local time. Cut at the course's start; the reminder is at the period's middle.
    """
    # In UTC: adding a timedelta to a local time would count wall-clock hours, an hour off
    # across a clock change.
    asked_at = asked_at.astimezone(UTC)
    asked_day = asked_at.astimezone(tz).date()
    due_at = local_midnight(asked_day + timedelta(days=days + 1), tz)
    if course_starts_at is not None and asked_at < course_starts_at < due_at:
        due_at = course_starts_at.astimezone(UTC)
    return ApprovalPeriod(
        asked_at=asked_at, remind_at=asked_at + (due_at - asked_at) / 2, due_at=due_at
    )


def last_answer_day(due_at: datetime, tz: ZoneInfo) -> date:
    """The last local day on which the manager may answer (the day before a midnight `due_at`,
    the course's first day when it is cut at the start)."""
    return (due_at.astimezone(tz) - timedelta(microseconds=1)).date()


def waiting_text(due_at: datetime, tz: ZoneInfo) -> str:
    """`Väntar på chefens godkännande till och med 9 september 2022`."""
    return f"Väntar på chefens godkännande till och med {swedish_date(last_answer_day(due_at, tz))}"


def check_manager_email(
    manager_email: str | None,
    *,
    email: str,
    employer_name: str,
    employer_domains: Sequence[str],
) -> str:
    """The manager's address, checked: given, at the registrant's employer, not their own.

    Raises InvalidInput (missing) or NotEligible (another employer's, or the registrant's own),
    both about the field `manager_email`.
    """
    if manager_email is None or not manager_email.strip():
        text = "Ange din chefs e-postadress: kursen kräver att chefen godkänner anmälan."
        raise InvalidInput(text, [FieldError("manager_email", text)])
    manager_email = manager_email.strip()
    if not domain_allowed(email_domain(manager_email), employer_domains):
        listed = ", ".join(employer_domains)
        raise NotEligible(
            f"Chefens e-postadress hör inte till {employer_name}. Ange chefens e-postadress i "
            f"tjänsten (som slutar på {listed}).",
            field="manager_email",
        )
    if normalize_email(manager_email) == normalize_email(email):
        raise NotEligible(
            "Chefens e-postadress är samma som din egen. Ange adressen till den chef som "
            "ska godkänna din anmälan.",
            field="manager_email",
        )
    return manager_email
