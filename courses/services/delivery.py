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
from email.utils import parseaddr

from courses.domain.courses import CourseRecord, Registrant, SessionRecord
from courses.links import manage_url
from courses.services.context import ServiceContext
from courses.services.lookup import registrant
from courses.services.tokens import token_for
from courses.storage import outbox, registrations
from courses.storage.courses import load_courses
from courses.storage.outbox import Claimed
from courses.storage.payloads import CourseCancelled, CourseChanged, Payload

__all__ = [
    "MailFacts",
    "Organizer",
    "Outcome",
    "claim_batch",
    "load_facts",
    "mail_counts",
    "recent_failures",
    "record_outcomes",
]


@dataclass(frozen=True, slots=True)
class Organizer:
    """Who sends the mail and answers questions: a name and an address."""

    name: str
    address: str

    @classmethod
    def of(cls, mail_from: str) -> Organizer:
        name, address = parseaddr(mail_from)
        return cls(name or address, address)


@dataclass(frozen=True, slots=True)
class MailFacts:
    """One outbox row with what its message needs."""

    mail: Claimed
    payload: Payload
    registrant: Registrant
    course: CourseRecord
    organizer: Organizer

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
class Outcome:
    """What became of a claimed row that was not sent: retried at `retry_at`, or failed."""

    id: int
    error: str
    retry_at: datetime | None  # None: failed for good


async def claim_batch(
    ctx: ServiceContext, *, worker: str, lease: timedelta, limit: int
) -> list[Claimed]:
    """Up to `limit` due rows for `worker`, after a cheap read that anything is due."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        if not await outbox.has_due(conn, now=now):
            return []
    async with ctx.db.write() as conn:
        return await outbox.claim(conn, worker=worker, now=now, lease=lease, limit=limit)


async def load_facts(ctx: ServiceContext, mails: Sequence[Claimed]) -> list[MailFacts]:
    """The facts of each row, in the order given. Rows whose registration is gone, or whose
    payload could not be read, are left out (the caller fails them)."""
    if not mails:
        return []
    settings = ctx.settings
    organizer = Organizer.of(settings.mail_from)
    async with ctx.db.read() as conn:
        rows = await registrations.by_ids(conn, {mail.registration_id for mail in mails})
        courses = {
            course.id: course
            for course in await load_courses(conn, ids={row.course_id for row in rows.values()})
        }
    facts = []
    for mail in mails:
        row = rows.get(mail.registration_id)
        if row is None or mail.payload is None:
            continue
        course = courses[row.course_id]
        link = None
        if row.token_nonce:
            token = token_for(settings.secret_key, row.token_nonce)
            link = manage_url(settings.base_url, token)
        facts.append(
            MailFacts(
                mail=mail,
                payload=mail.payload,
                registrant=registrant(row, course, link=link),
                course=course,
                organizer=organizer,
            )
        )
    return facts


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


async def mail_counts(ctx: ServiceContext) -> dict[outbox.OutboxStatus, int]:
    """How many mails are pending, being sent, sent and failed."""
    async with ctx.db.read() as conn:
        return await outbox.counts(conn)


async def recent_failures(ctx: ServiceContext, *, limit: int) -> list[outbox.Failure]:
    """The newest failed mails, with the server's answer."""
    async with ctx.db.read() as conn:
        return await outbox.recent_failures(conn, limit=limit)
