"""Everything a mail says, read for a batch of outbox rows in three queries.

A message is built when it is sent, from the data stored then, so a confirmation that waited
for the SMTP server to come back tells the course as it is now. What belonged to the moment of
the change (a waitlist position, the lines of a course change) travels in the row's payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.services.records import CourseRecord, FormatRecord, SessionRecord, load_courses
from courses.services.tokens import manage_url, token_for
from courses.settings import Settings
from courses.storage.outbox import Claimed
from courses.storage.tables import employer_table, registration_table

__all__ = ["MailFacts", "Registrant", "SessionEvent", "load_facts"]


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One session as a calendar event: a current one, or a removed one from a change."""

    position: int
    day: date
    start: time | None
    end: time | None
    where: str | None = None

    @classmethod
    def of(cls, session: SessionRecord, fmt: FormatRecord | None) -> SessionEvent:
        where = session.where(fmt) if fmt is not None else session.place
        return cls(session.position, session.day, session.start_time, session.end_time, where)

    @classmethod
    def removed(cls, entry: dict[str, Any]) -> SessionEvent:
        """A session as `courses.services.course_changes` keeps it in a change's payload."""
        start, end = entry.get("start"), entry.get("end")
        return cls(
            entry["position"],
            date.fromisoformat(entry["day"]),
            time.fromisoformat(start) if start else None,
            time.fromisoformat(end) if end else None,
        )


@dataclass(frozen=True, slots=True)
class Registrant:
    id: int
    name: str
    email: str
    status: str
    workplace: str
    employer: str
    format: FormatRecord | None
    manage_url: str | None


@dataclass(frozen=True, slots=True)
class MailFacts:
    """One outbox row with what its message needs."""

    mail: Claimed
    registrant: Registrant
    course: CourseRecord

    @property
    def payload(self) -> dict[str, Any]:
        return self.mail.payload

    @property
    def removed(self) -> list[SessionEvent]:
        """Sessions a course change took away (their invites are cancelled)."""
        return [SessionEvent.removed(entry) for entry in self.payload.get("removed", [])]

    @property
    def part_session(self) -> SessionEvent | None:
        """The session whose invite this message carries: a current one or a removed one."""
        part = self.mail.part
        for session in self.course.sessions:
            if session.position == part:
                return SessionEvent.of(session, self.registrant.format)
        return next((s for s in self.removed if s.position == part), None)


async def load_facts(
    conn: AsyncConnection, mails: Sequence[Claimed], *, settings: Settings
) -> list[MailFacts]:
    """The facts of each row, in the order given; rows whose registration is gone are left out."""
    if not mails:
        return []
    reg = registration_table.c
    rows = await conn.execute(
        select(
            reg.id,
            reg.course_id,
            reg.format_id,
            reg.name,
            reg.email,
            reg.status,
            reg.workplace,
            reg.token_nonce,
            employer_table.c.name.label("employer"),
        )
        .join(employer_table, employer_table.c.id == reg.employer_id)
        .where(reg.id.in_({mail.registration_id for mail in mails}))
    )
    registrations = {row.id: row for row in rows.all()}
    courses = {
        course.id: course
        for course in await load_courses(
            conn, ids={row.course_id for row in registrations.values()}
        )
    }
    facts = []
    for mail in mails:
        row = registrations.get(mail.registration_id)
        if row is None:
            continue
        course = courses[row.course_id]
        link = None
        if row.token_nonce:
            link = manage_url(settings.base_url, token_for(settings.secret_key, row.token_nonce))
        registrant = Registrant(
            id=row.id,
            name=row.name,
            email=row.email,
            status=row.status,
            workplace=row.workplace,
            employer=row.employer,
            format=next((f for f in course.formats if f.id == row.format_id), None),
            manage_url=link,
        )
        facts.append(MailFacts(mail=mail, registrant=registrant, course=course))
    return facts
