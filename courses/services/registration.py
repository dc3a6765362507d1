"""Register, look up and cancel registrations.

The invariants live in the database, inside one write transaction per use case:
- a registration is made by `courses.storage.enrolment.enrol`: seats are taken with
  conditional UPDATEs under the course row's lock, or, for an uncapped course, the row is only
  share-locked; cancelling and promoting lock the course row first;
- one active registration per person is a partial unique index.
Rules that need no database (deadline, eligibility, format) are checked before it, on the
course definition cached in `ServiceContext.cache` (see `courses.services.cache`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from courses.domain.errors import (
    AlreadyRegistered,
    CourseFull,
    CourseNotFound,
    DomainError,
    NotEligible,
    RegistrationNotFound,
)
from courses.domain.rules import (
    ACTIVE_STATUSES,
    RegistrationStatus,
    check_can_cancel,
    check_eligible,
    check_registration_open,
    choose_format,
    normalize_email,
)
from courses.services import tokens
from courses.services.cache import EmployerRecord
from courses.services.context import ServiceContext
from courses.services.notices import MailKind, Method, all_sessions, notice, queue
from courses.services.records import CourseRecord, FormatRecord, load_course
from courses.services.waitlist import lock_course, promote_waitlisted, waitlist_position
from courses.storage import enrolment, seats
from courses.storage.tables import course_table, registration_table

__all__ = [
    "RegistrationForm",
    "RegistrationReceipt",
    "cancel_registration",
    "manage_url",
    "register",
]


@dataclass(frozen=True, slots=True)
class RegistrationForm:
    """What a registrant fills in (already checked for form: lengths, a plausible address)."""

    name: str
    email: str
    employer: str
    workplace: str
    works_in_field: bool
    format: str | None = None
    phone: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RegistrationReceipt:
    id: int
    status: RegistrationStatus
    waitlist_position: int | None
    token: str
    manage_url: str


def manage_url(ctx: ServiceContext, token: str) -> str:
    return tokens.manage_url(ctx.settings.base_url, token)


async def register(ctx: ServiceContext, slug: str, form: RegistrationForm) -> RegistrationReceipt:
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
            fmt = _check_rules(ctx, slug, course, employer, form, now=now)
        except DomainError:
            if fresh:
                raise
            fresh = True  # a refusal is only given on fresh data
            continue
        assert course is not None
        assert employer is not None
        try:
            return await _write(ctx, course, fmt, employer, form, now=now)
        except AlreadyRegistered:
            await _resend_manage_link(ctx, course.id, normalize_email(form.email), now=now)
            raise
        except _StaleDefinition:
            ctx.cache.forget_course(slug)
            fresh = True
    raise RuntimeError(f"the course {slug!r} kept changing while registering")


_ATTEMPTS = 3


class _StaleDefinition(Exception):
    """The cached course definition is older than the course row: decide again."""


def _check_rules(
    ctx: ServiceContext,
    slug: str,
    course: CourseRecord | None,
    employer: EmployerRecord | None,
    form: RegistrationForm,
    *,
    now: datetime,
) -> FormatRecord:
    if course is None:
        raise CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")
    check_registration_open(course.timing, now=now, tz=ctx.tz)
    if employer is None:
        raise NotEligible(
            "Arbetsgivaren finns inte bland dem vars anställda kan anmäla sig. "
            "Välj din arbetsgivare i listan."
        )
    check_eligible(
        email=form.email,
        employer_name=employer.name,
        employer_domains=employer.domains,
        works_in_field=form.works_in_field,
    )
    return course.format_by_key(choose_format([f.key for f in course.formats], form.format))


async def _write(
    ctx: ServiceContext,
    course: CourseRecord,
    fmt: FormatRecord,
    employer: EmployerRecord,
    form: RegistrationForm,
    *,
    now: datetime,
) -> RegistrationReceipt:
    token, nonce = tokens.new_token(ctx.settings.secret_key)
    request = seats.SeatRequest(
        course_id=course.id,
        format_id=fmt.id,
        course_seats_left=course.seats_left,
        format_seats_left=fmt.seats_left,
    )
    row = _row(
        form,
        course_id=course.id,
        format_id=fmt.id,
        employer_id=employer.id,
        token=token,
        nonce=nonce,
        now=now,
    )
    try:
        async with ctx.db.write() as conn:
            enrolled = await enrolment.enrol(
                conn, request, revision=course.revision, row=row, now=now
            )
            if enrolled is None:
                raise _StaleDefinition
            if not enrolled.confirmed and not course.waitlist:
                raise CourseFull("Kursen är fullbokad.")
            position = None
            if enrolled.confirmed:
                status = RegistrationStatus.CONFIRMED
                mail = notice(
                    MailKind.CONFIRMED,
                    enrolled.registration_id,
                    invites=all_sessions([s.position for s in course.sessions], Method.REQUEST),
                )
            else:
                status = RegistrationStatus.WAITLISTED
                # Counted under the course lock that the waitlisting took: everyone with a
                # lower queue number has committed, so the count is exact.
                position = await waitlist_position(
                    conn, course_id=course.id, queue_no=enrolled.queue_no
                )
                mail = notice(
                    MailKind.WAITLISTED,
                    enrolled.registration_id,
                    payload={"waitlist_position": position},
                )
            await queue(conn, [mail], now=now)
    except IntegrityError as exc:
        if "email_key" in str(exc.orig) or "uq_registration_active_email" in str(exc.orig):
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
        manage_url=manage_url(ctx, token),
    )


def _row(
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


_RESEND_EVERY = timedelta(hours=1)


async def _resend_manage_link(
    ctx: ServiceContext, course_id: int, email_key: str, *, now: datetime
) -> None:
    """Mail the manage link again to the address already registered, at most once an hour.

    The link goes only to the address itself, never into the answer. The conditional UPDATE
    makes "once an hour" hold however many requests arrive at the same moment.
    """
    reg = registration_table.c
    async with ctx.db.write() as conn:
        result = await conn.execute(
            update(registration_table)
            .where(
                reg.course_id == course_id,
                reg.email_key == email_key,
                reg.status.in_([s.value for s in ACTIVE_STATUSES]),
                (reg.resent_at.is_(None)) | (reg.resent_at <= now - _RESEND_EVERY),
            )
            .values(resent_at=now)
            .returning(reg.id)
        )
        found = result.scalar_one_or_none()
        if found is None:
            return
        await queue(conn, [notice(MailKind.ALREADY_REGISTERED, found)], now=now)
    ctx.mail_signal.notify()


async def cancel_registration(ctx: ServiceContext, token: str) -> list[int]:
    """Cancel by the manage token until the first session starts; promote from the waitlist.

    Returns the ids of the registrations promoted to confirmed. Raises RegistrationNotFound
    (unknown or already cancelled) or RegistrationClosed (the course has begun).
    """
    now = ctx.clock.now()
    reg = registration_table.c
    async with ctx.db.write() as conn:
        found = (
            await conn.execute(
                select(reg.id, reg.course_id, reg.format_id, course_table.c.slug)
                .join(course_table, course_table.c.id == reg.course_id)
                .where(reg.token_hash == tokens.hash_token(token))
            )
        ).first()
        if found is None:
            raise RegistrationNotFound("Anmälan finns inte, eller så är länken redan använd.")
        await lock_course(conn, found.course_id)
        # Status is read after the course lock: no other writer changes it until we commit.
        status = (await conn.execute(select(reg.status).where(reg.id == found.id))).scalar_one()
        if status == RegistrationStatus.CANCELLED:
            raise RegistrationNotFound("Anmälan är redan avanmäld.")
        course = await load_course(conn, found.slug)
        assert course is not None
        check_can_cancel(course.timing, now=now, tz=ctx.tz)
        await conn.execute(
            update(registration_table)
            .where(reg.id == found.id)
            .values(status=RegistrationStatus.CANCELLED.value, cancelled_at=now, updated_at=now)
        )
        was_confirmed = status == RegistrationStatus.CONFIRMED
        invites = [s.position for s in course.sessions] if was_confirmed else []
        await queue(
            conn,
            [notice(MailKind.CANCELLED, found.id, invites=all_sessions(invites, Method.CANCEL))],
            now=now,
        )
        promoted: list[int] = []
        if was_confirmed:
            await seats.release_seat(conn, course_id=found.course_id, format_id=found.format_id)
            promoted = await promote_waitlisted(conn, course, now=now, tz=ctx.tz)
    ctx.mail_signal.notify()
    return promoted
