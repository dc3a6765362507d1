"""A registration as a person fills it in, the rules checked on it before the database is
asked, and the row it becomes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from courses.domain.approval import check_manager_email
from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.employers import EmployerRecord
from courses.domain.errors import CourseNotFound, NotEligible
from courses.domain.rules import (
    CourseStatus,
    check_eligible,
    check_registration_open,
    choose_format,
    normalize_email,
)
from courses.services import tokens
from courses.services.context import ServiceContext
from courses.validation import Checked, Email, Key, Message, NonEmpty, Phone

__all__ = ["RegistrationForm", "check_rules", "registration_row"]


class RegistrationForm(msgspec.Struct, Checked, forbid_unknown_fields=True, kw_only=True):
    """A registration as a person fills it in: who they are, where they work, how they take
    part. The one input shape: the API's JSON body and the page's form are decoded into it
    (strictly, every field checked at once by `courses.validation.all_errors`), and
    constructing one directly still canonicalises the address (the `Checked` fields)."""

    name: NonEmpty
    email: Email
    employer: Key
    workplace: NonEmpty
    works_in_field: bool
    format: Key | None = None
    phone: Phone | None = None
    message: Message | None = None
    manager_email: Email | None = None
    """The manager who approves, where the course asks for it (else not used)."""


def check_rules(
    ctx: ServiceContext,
    slug: str,
    course: CourseRecord | None,
    employer: EmployerRecord | None,
    form: RegistrationForm,
    *,
    now: datetime,
) -> FormatRecord:
    """The rules that need no database, on the cached definition: the course exists and is
    open, the employer is this organizer's and current, the person is eligible, the manager's
    address fits, and the format; raises the refusal."""
    if course is None or course.status is CourseStatus.DRAFT:
        raise CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")
    check_registration_open(course.timing, now=now, tz=ctx.tz)
    if employer is None or employer.organizer_id != course.organizer_id:
        # Another organizer's employer is as unknown here as one that does not exist.
        raise NotEligible(
            "Arbetsgivaren finns inte bland dem vars anställda kan anmäla sig. "
            "Välj din arbetsgivare i listan.",
            field="employer",
        )
    if employer.retired:
        raise NotEligible(
            f"{employer.name} tar inte längre emot anmälningar här. "
            "Välj en annan arbetsgivare i listan.",
            field="employer",
        )
    check_eligible(
        email=form.email,
        employer_name=employer.name,
        employer_domains=employer.domains,
        works_in_field=form.works_in_field,
    )
    if course.needs_approval:
        check_manager_email(
            form.manager_email,
            email=form.email,
            employer_name=employer.name,
            employer_domains=employer.domains,
        )
    return course.format_by_key(choose_format([f.key for f in course.formats], form.format))


def registration_row(
    form: RegistrationForm,
    *,
    course_id: int,
    format_id: int,
    employer_id: int,
    token: str,
    nonce: str,
    now: datetime,
) -> dict[str, Any]:
    """The registration's own columns (`enrolment.ROW_COLUMNS`), cleaned."""
    return {
        "course_id": course_id,
        "format_id": format_id,
        "employer_id": employer_id,
        "name": form.name.strip(),
        "email": form.email.strip(),
        "email_key": normalize_email(form.email),
        "workplace": form.workplace.strip(),
        "phone": form.phone.strip() if form.phone else None,
        "message": form.message.strip() if form.message else None,
        "token_hash": tokens.hash_token(token),
        "token_nonce": nonce,
        "created_at": now,
        "updated_at": now,
    }
