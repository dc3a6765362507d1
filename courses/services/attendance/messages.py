"""Messages from a course's leaders (or its organizer's admins) to the course's people.

A message goes to one group of the course's active registrations (`courses.domain.messages`),
one mail per person through the outbox, each with that person's own manage link (the worker
builds it from the registration when it sends). A dry run answers how many would get it and
writes nothing; a send writes the mails and its audit entry (who, which group, how many, the
text) in one transaction. Rate limits are the front doors' (the sender is known there).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.errors import FieldError, InvalidInput
from courses.domain.messages import MessageDraft, draft_errors, group_statuses, group_words
from courses.domain.permissions import Actor
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.notices import notice, queue
from courses.services.permissions import course_missing
from courses.storage import registrations
from courses.storage.courses import load_course
from courses.storage.payloads import Message

__all__ = ["MessageOutcome", "write_to_course"]


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    recipients: int
    """How many people get the message (or would, on a dry run): one mail each."""
    sent: bool
    """False for a dry run: nothing was written."""
    draft: MessageDraft
    """The message as it goes out (without blank space around subject and text)."""
    course: CourseRecord


async def _checked(
    conn: AsyncConnection, actor: Actor, slug: str, draft: MessageDraft
) -> tuple[CourseRecord, MessageDraft, list[int]]:
    """The course (if the actor may write to its people), the cleaned draft, the recipients."""
    course = await load_course(conn, slug)
    if course is None or not actor.may_see_course(
        organizer_id=course.organizer_id, leaders=course.leaders
    ):
        # Another leader's course is answered like one that does not exist.
        raise course_missing(slug)
    draft = draft.cleaned()
    errors = draft_errors(draft, sessions=frozenset(course.session_positions))
    if errors:
        raise InvalidInput("Meddelandet kunde inte skickas.", errors)
    wanted = group_statuses(draft.to)
    recipients = [
        registration_id
        for registration_id, status, _ in await registrations.active_in_course(conn, course.id)
        if status in wanted
    ]
    return course, draft, recipients


async def write_to_course(
    ctx: ServiceContext, actor: Actor, slug: str, draft: MessageDraft, *, dry_run: bool = False
) -> MessageOutcome:
    """Send `draft` to its group of the course's people, or (dry run) count them.

    Raises CourseNotFound (unknown, or not the actor's course), InvalidInput (a field of the
    draft, or nobody in the group on a real send).
    """
    if dry_run:
        async with ctx.db.read() as conn:
            course, draft, recipients = await _checked(conn, actor, slug, draft)
        return MessageOutcome(len(recipients), False, draft, course)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        course, draft, recipients = await _checked(conn, actor, slug, draft)
        if not recipients:
            raise InvalidInput(
                "Meddelandet kunde inte skickas.",
                [FieldError("to", "Det finns ingen i den gruppen att skicka meddelandet till.")],
            )
        payload = Message(subject=draft.subject, text=draft.text, session=draft.session)
        await queue(conn, [notice(id_, payload) for id_ in recipients], now=now)
        group = group_words(draft.to, draft.session)
        await record(
            conn,
            actor,
            "course.message",
            at=now,
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            summary=f"Skickade meddelandet ”{draft.subject}” till {group} ({len(recipients)}).",
            details={
                "to": draft.to.value,
                "session": draft.session,
                "recipients": len(recipients),
                "subject": draft.subject,
                "text": draft.text,
            },
        )
    ctx.mail_signal.notify()
    return MessageOutcome(len(recipients), True, draft, course)
