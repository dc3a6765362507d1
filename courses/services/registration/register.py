"""Register for a course.

The invariants live in the database, inside one write transaction:
- a registration is made by the seat kernel (`courses.services.seats.fair_seats`): seats are
  taken with conditional UPDATEs under the course row's lock, or, for an uncapped course, the
  row is only share-locked. A plain registration (no share, approval, lottery or witness)
  writes its mail in the same statement (PostgreSQL) or the same one-hop transaction (SQLite),
  so the lock is held for the database's work only;
- one active registration per person is a partial unique index.
Rules that need no database (deadline, eligibility, format) are checked before it, on the
course definition cached in `ServiceContext.cache` (see `courses.services.definitions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.employers import EmployerRecord
from courses.domain.errors import (
    AlreadyRegistered,
    CourseFull,
    DomainError,
)
from courses.domain.notices import Method
from courses.domain.rules import (
    RegistrationStatus,
    normalize_email,
)
from courses.links import manage_url
from courses.services import tokens
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.registration.form import RegistrationForm, check_rules, registration_row
from courses.services.registration.resend import resend_manage_link
from courses.services.seats import applications, fair_seats
from courses.services.seats.approval_requests import hold_for_approval
from courses.storage import registrations
from courses.storage.payloads import Confirmed, Waitlisted

__all__ = ["RegistrationForm", "RegistrationReceipt", "Witness", "register"]


@dataclass(frozen=True, slots=True)
class RegistrationReceipt:
    id: int
    status: RegistrationStatus
    waitlist_position: int | None
    token: str
    manage_url: str


class Witness(Protocol):
    """Called in the registration's own transaction with its id and status (staff who
    registered someone write their audit entry there)."""

    async def __call__(
        self, conn: AsyncConnection, registration_id: int, *, status: RegistrationStatus
    ) -> None: ...


async def register(
    ctx: ServiceContext, slug: str, form: RegistrationForm, *, witness: Witness | None = None
) -> RegistrationReceipt:
    """Register for a course: confirmed while seats last, then waitlisted (or refused).

    Raises CourseNotFound, NotYetOpen, RegistrationClosed, NotEligible, InvalidInput,
    CourseFull (full and no waitlist) or AlreadyRegistered.
    """
    now = ctx.clock.now()
    fresh = False
    for _ in range(_ATTEMPTS):
        course = await ctx.cache.course(ctx.db, slug, fresh=fresh)
        employer = await ctx.cache.employer(ctx.db, form.employer, fresh=fresh)
        try:
            fmt = check_rules(ctx, slug, course, employer, form, now=now)
        except DomainError:
            if fresh:
                raise
            fresh = True  # a refusal is only given on fresh data
            continue
        assert course is not None
        assert employer is not None
        try:
            return await _write(ctx, course, fmt, employer, form, now=now, witness=witness)
        except AlreadyRegistered:
            await resend_manage_link(ctx, course.id, normalize_email(form.email), now=now)
            raise
        except _StaleDefinition:
            ctx.cache.forget_course(slug)
            fresh = True
    raise RuntimeError(f"the course {slug!r} kept changing while registering")


_ATTEMPTS = 3


class _StaleDefinition(Exception):
    """The cached course definition is older than the course row: decide again."""


async def _write(
    ctx: ServiceContext,
    course: CourseRecord,
    fmt: FormatRecord,
    employer: EmployerRecord,
    form: RegistrationForm,
    *,
    now: datetime,
    witness: Witness | None,
) -> RegistrationReceipt:
    token, nonce = tokens.new_token(ctx.settings.secret_key)
    row = registration_row(
        form,
        course_id=course.id,
        format_id=fmt.id,
        employer_id=employer.id,
        token=token,
        nonce=nonce,
        now=now,
    )
    share = await fair_seats.share_request(ctx, course, employer.id, now=now)
    try:
        if course.lottery_pending:
            also = None if witness is None else partial(witness, status=RegistrationStatus.APPLIED)
            applied = await applications.apply(
                ctx, course, row, now=now, manager=form.manager_email, also=also
            )
            if applied is None:
                raise _StaleDefinition
            return RegistrationReceipt(
                id=applied,
                status=RegistrationStatus.APPLIED,
                waitlist_position=None,
                token=token,
                manage_url=manage_url(ctx.settings.base_url, token),
            )
        if share is None and not course.needs_approval and witness is None:
            plain = await _enrol_plain(ctx, course, fmt, row, now=now)
            ctx.mail_signal.notify()
            return RegistrationReceipt(
                id=plain.registration_id,
                status=(
                    RegistrationStatus.CONFIRMED
                    if plain.confirmed
                    else RegistrationStatus.WAITLISTED
                ),
                waitlist_position=plain.waitlist_position,
                token=token,
                manage_url=manage_url(ctx.settings.base_url, token),
            )
        async with ctx.db.write() as conn:
            enrolled, at_share = await fair_seats.enrol(conn, course, fmt, share, row=row, now=now)
            if enrolled is None:
                raise _StaleDefinition
            # Waitlisted for the employer share: waits for the share's end even on a course
            # without a waitlist.
            if not enrolled.confirmed and not course.waitlist and not at_share:
                raise CourseFull("Kursen är fullbokad.")
            position = None
            status = RegistrationStatus.WAITLISTED
            if course.needs_approval:
                status = await hold_for_approval(
                    conn,
                    course,
                    enrolled.registration_id,
                    confirmed=enrolled.confirmed,
                    manager_email=form.manager_email,
                    secret_key=ctx.settings.secret_key,
                    now=now,
                    tz=ctx.tz,
                )
            if status is RegistrationStatus.PENDING_APPROVAL:
                mail = []  # hold_for_approval queued the mails
            elif enrolled.confirmed:
                status = RegistrationStatus.CONFIRMED
                mail = notice(
                    enrolled.registration_id,
                    Confirmed(),
                    invites=all_sessions(course.session_positions, Method.REQUEST),
                )
            else:
                # Counted under the course lock that the waitlisting took: everyone with a
                # lower queue number has committed, so the count is exact.
                position = enrolled.waitlist_position or await registrations.waitlist_position(
                    conn, course_id=course.id, queue_no=enrolled.queue_no
                )
                mail = notice(
                    enrolled.registration_id,
                    Waitlisted(
                        waitlist_position=position, **fair_seats.mail_reason(course, at_share)
                    ),
                )
            if mail:
                await queue(conn, [mail], now=now)
            if witness is not None:
                await witness(conn, enrolled.registration_id, status=status)
    except IntegrityError as exc:
        if "email_key" in str(exc.orig) or "uq_registration_active_person" in str(exc.orig):
            raise AlreadyRegistered(
                "Du är redan anmäld till den här kursen med den e-postadressen. "
                "Använd länken i bekräftelsemejlet för att se eller avanmäla din anmälan."
            ) from None
        raise
    ctx.mail_signal.notify()
    return RegistrationReceipt(
        id=enrolled.registration_id,
        status=status,
        waitlist_position=position,
        token=token,
        manage_url=manage_url(ctx.settings.base_url, token),
    )


async def _enrol_plain(
    ctx: ServiceContext,
    course: CourseRecord,
    fmt: FormatRecord,
    row: dict[str, Any],
    *,
    now: datetime,
) -> fair_seats.Enrolment:
    """No share, approval or witness: the registration and its mail in one short
    transaction (`fair_seats.enrol_mailed`)."""
    mails = {
        RegistrationStatus.CONFIRMED: notice(
            0, Confirmed(), invites=all_sessions(course.session_positions, Method.REQUEST)
        ),
        # The position is set where it is counted, under the course lock.
        RegistrationStatus.WAITLISTED: notice(0, Waitlisted(waitlist_position=0)),
    }
    try:
        enrolled = await fair_seats.enrol_mailed(ctx.db, course, fmt, row=row, now=now, mails=mails)
    except fair_seats.NoWaitlist:
        raise CourseFull("Kursen är fullbokad.") from None
    if enrolled is None:
        raise _StaleDefinition
    return enrolled
