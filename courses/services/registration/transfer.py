"""Handing a confirmed seat to a colleague of the same employer, with the manage token.

Until the first session begins, a registrant may give their seat to a colleague whose work
address fits the same employer and who is not registered for the course already. The seat
count never moves: the giver's registration becomes `transferred` and the colleague's takes
its format and place. The colleague gets the confirmation with the invites and a manage link
of their own (it goes only to their mail; the giver never sees it); the giver gets a mail with
CANCEL invites. On a course whose manager approves, the colleague's manager is asked and the
seat is held meanwhile. The audit log records it, without names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy.exc import IntegrityError

from courses.domain.approval import check_manager_email
from courses.domain.errors import (
    FieldError,
    InvalidInput,
    NotEligible,
    RegistrationNotFound,
    StaffConflict,
)
from courses.domain.notices import Method
from courses.domain.permissions import Actor
from courses.domain.rules import (
    RegistrationStatus,
    check_can_cancel,
    check_eligible,
    normalize_email,
)
from courses.services import tokens
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.approval_requests import ask_manager
from courses.storage import registrations, transfers
from courses.storage.courses import load_course, lock_course
from courses.storage.employers import employer_by_key
from courses.storage.payloads import TransferredIn, TransferredOut
from courses.validation import Checked, Email, NonEmpty, Phone

__all__ = ["Colleague", "TransferOutcome", "transfer_registration"]

_UNKNOWN = "Anmälan finns inte, eller så är länken ogiltig."
REGISTRANT = Actor(label="anmälaren (via sin länk)")


class Colleague(msgspec.Struct, Checked, forbid_unknown_fields=True, kw_only=True):
    """The colleague who takes over the seat, as the giver fills them in."""

    name: NonEmpty
    email: Email
    workplace: NonEmpty
    phone: Phone | None = None
    manager_email: Email | None = None
    """The colleague's manager, on a course whose manager approves (else not used)."""


@dataclass(frozen=True, slots=True)
class TransferOutcome:
    registration_id: int
    """The colleague's new registration."""
    status: RegistrationStatus
    """confirmed, or pending_approval while the colleague's manager is asked."""
    name: str


async def transfer_registration(
    ctx: ServiceContext, token: str, colleague: Colleague
) -> TransferOutcome:
    """Hand the seat behind `token` to `colleague`.

    Raises RegistrationNotFound (unknown link, or a registration already ended),
    RegistrationClosed (the course has begun), StaffConflict (no confirmed seat to hand on),
    NotEligible with the field (another employer's address, one's own, someone registered),
    InvalidInput (no manager's address where the course asks for approval).
    """
    now = ctx.clock.now()
    new_token, nonce = tokens.new_token(ctx.settings.secret_key)
    try:
        async with ctx.db.write() as conn:
            found = await registrations.by_token_hash(conn, tokens.hash_token(token))
            if found is None:
                raise RegistrationNotFound(_UNKNOWN)
            await lock_course(conn, found.course_id)
            status = await registrations.status_of(conn, found.id)
            course = await load_course(conn, found.course_slug)
            employer = await employer_by_key(conn, found.employer_key)
            assert course is not None
            assert employer is not None
            check_can_cancel(course.timing, now=now, tz=ctx.tz)
            if status is not RegistrationStatus.CONFIRMED:
                raise StaffConflict(_not_confirmed(status))
            _check_colleague(colleague, found.email, employer.name, employer.domains)
            if course.needs_approval:
                _check_manager(colleague, employer.name, employer.domains)
            name = colleague.name.strip()
            row = {
                "name": name,
                "email": colleague.email.strip(),
                "email_key": normalize_email(colleague.email),
                "workplace": colleague.workplace.strip(),
                "phone": colleague.phone.strip() if colleague.phone else None,
                "token_hash": tokens.hash_token(new_token),
                "token_nonce": nonce,
            }
            new_id = await transfers.hand_over(
                conn, found.id, row, status=RegistrationStatus.CONFIRMED, now=now
            )
            assert new_id is not None, "read as confirmed under the course lock"
            after = RegistrationStatus.CONFIRMED
            if course.needs_approval and await ask_manager(
                conn,
                course,
                new_id,
                secret_key=ctx.settings.secret_key,
                now=now,
                tz=ctx.tz,
                manager_email=colleague.manager_email,
                tell_registrant=False,
            ):
                after = RegistrationStatus.PENDING_APPROVAL
            held = after is RegistrationStatus.PENDING_APPROVAL
            sessions = course.session_positions
            await queue(
                conn,
                [
                    notice(
                        new_id,
                        TransferredIn(from_name=found.name, pending_approval=held),
                        invites=[] if held else all_sessions(sessions, Method.REQUEST),
                    ),
                    notice(
                        found.id,
                        TransferredOut(to_name=name),
                        invites=all_sessions(sessions, Method.CANCEL),
                    ),
                ],
                now=now,
            )
            await record(
                conn,
                REGISTRANT,
                "registration.transfer",
                at=now,
                summary=f"Platsen överlåten till en kollega (anmälan {found.id} → {new_id})",
                organizer_id=course.organizer_id,
                course_slug=course.slug,
                details={"from": found.id, "to": new_id, "status": after.value},
            )
    except IntegrityError as exc:
        if "email_key" in str(exc.orig) or "uq_registration_active_person" in str(exc.orig):
            raise _already_registered() from None
        raise
    ctx.mail_signal.notify()
    return TransferOutcome(registration_id=new_id, status=after, name=name)


def _check_colleague(
    colleague: Colleague, own_email: str, employer_name: str, domains: Sequence[str]
) -> None:
    if normalize_email(colleague.email) == normalize_email(own_email):
        raise NotEligible(
            "Det är din egen adress. Ange adressen till kollegan som ska ta över platsen.",
            field="email",
        )
    try:
        check_eligible(
            email=colleague.email,
            employer_name=employer_name,
            employer_domains=domains,
            works_in_field=True,
        )
    except NotEligible:
        listed = ", ".join(domains)
        raise NotEligible(
            f"Platsen kan bara lämnas över till en kollega hos {employer_name}: adressen "
            f"måste sluta på {listed}.",
            field="email",
        ) from None


def _check_manager(colleague: Colleague, employer_name: str, domains: Sequence[str]) -> None:
    """The colleague's manager approves: the same checks as registering, in words about the
    colleague rather than the one filling in the form."""
    if colleague.manager_email is None or not colleague.manager_email.strip():
        text = (
            "Ange e-postadressen till kollegans chef: kursen kräver att chefen godkänner anmälan."
        )
        raise InvalidInput(text, [FieldError("manager_email", text)])
    if normalize_email(colleague.manager_email) == normalize_email(colleague.email):
        raise NotEligible(
            "Chefens adress är samma som kollegans. Ange adressen till den chef som ska "
            "godkänna att kollegan går kursen.",
            field="manager_email",
        )
    check_manager_email(
        colleague.manager_email,
        email=colleague.email,
        employer_name=employer_name,
        employer_domains=domains,
    )


def _already_registered() -> NotEligible:
    return NotEligible(
        "Kollegan är redan anmäld till kursen (eller står på reservlistan) och kan inte ta "
        "över din plats.",
        field="email",
    )


def _not_confirmed(status: RegistrationStatus) -> str:
    if status is RegistrationStatus.PENDING_APPROVAL:
        return (
            "Platsen kan lämnas över först när din chef har godkänt anmälan. Du kan avanmäla "
            "dig i stället, så går platsen till den som står först på reservlistan."
        )
    if status in (RegistrationStatus.CANCELLED, RegistrationStatus.TRANSFERRED):
        return "Anmälan är inte längre aktiv, så det finns ingen plats att lämna över."
    return "Bara en bekräftad plats kan lämnas över. Du har ingen plats på kursen än."
