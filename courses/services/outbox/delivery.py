"""Delivering the outbox, as the mail worker's use case: claim a batch, read what its messages
say, record each outcome. The worker itself only builds and sends.

A message is built when it is sent, from the data stored then, so a confirmation that waited
for the SMTP server to come back tells the course as it is now. What belonged to the moment of
the change travels in the row's typed payload (`courses.storage.payloads`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from courses.domain.courses import CourseRecord, Registrant, SessionRecord
from courses.domain.notices import MANAGER_KINDS, MailKind, OutboxStatus
from courses.links import approval_url, manage_url, sign_in_url
from courses.services.context import ServiceContext
from courses.services.outbox.listing import ListingFacts, load_listings
from courses.services.outbox.senders import Organizer, organizer_sender
from courses.services.registration.lookup import registrant
from courses.services.staff.sign_in import admit_sign_in_requests
from courses.services.tokens import token_for
from courses.settings import Settings
from courses.storage import approval, outbox, registrations, sign_in_requests, staff
from courses.storage.courses import load_courses
from courses.storage.organizers import all_organizers
from courses.storage.outbox import Claimed
from courses.storage.payloads import CourseCancelled, CourseChanged, Payload

__all__ = [
    "APPROVAL_KINDS",
    "ApprovalFacts",
    "Facts",
    "ListingFacts",
    "MailFacts",
    "Organizer",
    "Outcome",
    "SignInFacts",
    "claim_batch",
    "load_facts",
    "mail_counts",
    "next_due",
    "organizer_sender",
    "recent_failures",
    "record_outcomes",
]


APPROVAL_KINDS = frozenset(
    {
        MailKind.APPLIED,  # a lottery application names the manager the draw will ask
        MailKind.AWAITING_APPROVAL,
        MailKind.APPROVED,
        MailKind.DECLINED,
        MailKind.APPROVAL_EXPIRED,
        MailKind.TRANSFERRED_IN,  # a seat handed on is held while the colleague's manager is asked
        *MANAGER_KINDS,
    }
)
"""Mails whose facts include the registration's approval (its manager, once named)."""


@dataclass(frozen=True, slots=True)
class ApprovalFacts:
    """A registration's approval as its mails tell it."""

    manager_email: str | None
    link: str | None
    """The manager's approval page; None once the manager was never asked."""
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class MailFacts:
    """One outbox row with what its message needs."""

    mail: Claimed
    payload: Payload
    registrant: Registrant
    course: CourseRecord
    organizer: Organizer
    sender: str
    """`Namn <adress>` the message is from: the course organizer's, or the setting."""
    approval: ApprovalFacts | None = None
    """On a course whose manager approves: the manager, the link and the period."""

    @property
    def to_manager(self) -> bool:
        """Whether the message goes to the registration's manager (the approval link)."""
        return self.mail.kind in MANAGER_KINDS

    @property
    def removed(self) -> list[SessionRecord]:
        """Sessions a course change took away (their invites are cancelled)."""
        if isinstance(self.payload, CourseChanged | CourseCancelled):
            return [entry.session() for entry in self.payload.removed]
        return []

    @property
    def parts(self) -> list[int]:
        return list(getattr(self.payload, "parts", []))

    @property
    def part_session(self) -> SessionRecord | None:
        """The session whose invite this message carries: a current one or a removed one."""
        part = self.mail.part
        for session in self.course.sessions:
            if session.position == part:
                return session
        return next((s for s in self.removed if s.position == part), None)


@dataclass(frozen=True, slots=True)
class SignInFacts:
    """A staff member's sign-in mail: the link, derived from the stored nonce now."""

    mail: Claimed
    email: str
    link: str
    expires_at: datetime
    organizer: Organizer
    sender: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a claimed row that was not sent: retried at `retry_at`, or failed."""

    id: int
    error: str
    retry_at: datetime | None  # None: failed for good


async def claim_batch(
    ctx: ServiceContext, *, worker: str, lease: timedelta, limit: int
) -> list[Claimed]:
    """Up to `limit` due rows for `worker`, after a cheap read that anything is due. Waiting
    sign-in requests are decided first, so a staff member's link mail is among them."""
    await admit_sign_in_requests(ctx)
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        if not await outbox.has_due(conn, now=now):
            return []
    async with ctx.db.write() as conn:
        return await outbox.claim(conn, worker=worker, now=now, lease=lease, limit=limit)


async def next_due(ctx: ServiceContext) -> datetime | None:
    """When the worker next has something to do: now if a sign-in request waits, else when
    the next mail is due (a retry, a dead worker's lease); None when nothing waits."""
    async with ctx.db.read() as conn:
        if await sign_in_requests.has_requests(conn):
            return ctx.clock.now()
        return await outbox.next_due(conn)


Facts = MailFacts | SignInFacts | ListingFacts
"""What one outbox row's message is built from."""


async def load_facts(ctx: ServiceContext, mails: Sequence[Claimed]) -> list[Facts]:
    """The facts of each row, in the order given. Rows whose registration (or sign-in link)
    is gone, or whose payload could not be read, are left out (the caller fails them). A
    mailbox's list of registrations is read by `courses.services.outbox.listing`."""
    listed = [m for m in mails if m.kind is MailKind.MY_REGISTRATIONS]
    found: dict[int, Facts] = {facts.mail.id: facts for facts in await load_listings(ctx, listed)}
    others = [m for m in mails if m.kind is not MailKind.MY_REGISTRATIONS]
    notices = await _load_notices(ctx, others)
    found.update((facts.mail.id, facts) for facts in notices)
    return [found[mail.id] for mail in mails if mail.id in found]


async def _load_notices(
    ctx: ServiceContext, mails: Sequence[Claimed]
) -> list[MailFacts | SignInFacts]:
    if not mails:
        return []
    settings = ctx.settings
    registration_ids = {m.registration_id for m in mails if m.registration_id is not None}
    link_ids = [m.sign_in_id for m in mails if m.sign_in_id is not None]
    async with ctx.db.read() as conn:
        rows = await registrations.by_ids(conn, registration_ids) if registration_ids else {}
        courses = (
            {
                course.id: course
                for course in await load_courses(conn, ids={row.course_id for row in rows.values()})
            }
            if rows
            else {}
        )
        senders = {
            org.id: organizer_sender(org, settings.mail_from) for org in await all_organizers(conn)
        }
        links = await staff.links_by_ids(conn, link_ids) if link_ids else {}
        asked = {
            m.registration_id
            for m in mails
            if m.registration_id is not None and m.kind in APPROVAL_KINDS
        }
        approval_rows = await approval.by_ids(conn, asked) if asked else {}
    facts: list[MailFacts | SignInFacts] = []
    for mail in mails:
        if mail.payload is None:
            continue
        if mail.sign_in_id is not None:
            found = links.get(mail.sign_in_id)
            if found is not None:
                token = token_for(settings.secret_key, found.token_nonce)
                facts.append(
                    SignInFacts(
                        mail=mail,
                        email=found.email,
                        link=sign_in_url(settings.base_url, token),
                        expires_at=found.expires_at,
                        organizer=Organizer.of(settings.mail_from),
                        sender=settings.mail_from,
                    )
                )
            continue
        row = rows.get(mail.registration_id) if mail.registration_id is not None else None
        if row is None:
            continue
        course = courses[row.course_id]
        link = None
        if row.token_nonce:
            token = token_for(settings.secret_key, row.token_nonce)
            link = manage_url(settings.base_url, token)
        sender = senders.get(course.organizer_id, settings.mail_from)
        facts.append(
            MailFacts(
                mail=mail,
                payload=mail.payload,
                registrant=registrant(row, course, link=link),
                course=course,
                organizer=Organizer.of(sender),
                sender=sender,
                approval=_approval(approval_rows.get(row.id), settings.secret_key, settings),
            )
        )
    return facts


def _approval(
    found: approval.ApprovalRow | None, secret_key: str, settings: Settings
) -> ApprovalFacts | None:
    if found is None:
        return None
    link = None
    if found.approval_nonce:
        link = approval_url(settings.base_url, token_for(secret_key, found.approval_nonce))
    return ApprovalFacts(manager_email=found.manager_email, link=link, due_at=found.approval_due_at)


async def record_outcomes(
    ctx: ServiceContext, *, worker: str, sent: Sequence[int], others: Sequence[Outcome]
) -> None:
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        await outbox.mark_sent(conn, sent, worker=worker, now=now)
        for outcome in others:
            if outcome.retry_at is None:
                await outbox.mark_failed(conn, outcome.id, worker=worker, error=outcome.error)
            else:
                await outbox.retry_later(
                    conn, outcome.id, worker=worker, at=outcome.retry_at, error=outcome.error
                )


async def mail_counts(ctx: ServiceContext) -> dict[OutboxStatus, int]:
    """How many mails are pending, being sent, sent and failed."""
    async with ctx.db.read() as conn:
        return await outbox.counts(conn)


async def recent_failures(ctx: ServiceContext, *, limit: int) -> list[outbox.Failure]:
    """The newest failed mails, with the server's answer."""
    async with ctx.db.read() as conn:
        return await outbox.recent_failures(conn, limit=limit)
