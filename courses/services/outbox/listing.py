"""The facts of a mailbox's list mail (`my_registrations`): its registrations still on, read
when the mail is built (one cancelled meanwhile is left out), each with its course, its
organizer's name and its manage link, derived from the stored nonce as every mail does.

The mail goes to the address of the row's registration. It is from the organizer when every
listed course is one organizer's, else from the deployment's own sender (COURSES_MAIL_FROM).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.rules import RegistrationStatus
from courses.links import manage_url
from courses.services.context import ServiceContext
from courses.services.outbox.senders import Organizer, organizer_sender
from courses.services.tokens import token_for
from courses.storage import mailbox, offers, registrations
from courses.storage.courses import load_courses
from courses.storage.organizers import OrganizerRecord, all_organizers
from courses.storage.outbox import Claimed
from courses.storage.registrations import RegistrationRow

__all__ = ["ListedRegistration", "ListingFacts", "load_listings"]


@dataclass(frozen=True, slots=True)
class ListedRegistration:
    """One registration of the list, as the mail tells it."""

    course: CourseRecord
    organizer: str
    """The course organizer's name."""
    status: RegistrationStatus
    waitlist_position: int | None
    format: FormatRecord | None
    link: str | None
    offer_due_at: datetime | None = None
    """Offered a seat (held for them, or open to all waiting): the time to answer by."""
    offer_open: bool = False
    """Waiting, and told of a seat in the last window that whoever answers first gets."""


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """A mailbox's list mail: to whom, what it lists, who sends it."""

    mail: Claimed
    name: str
    email: str
    registrations: list[ListedRegistration]
    """First session first."""
    organizer: Organizer
    sender: str

    @property
    def organizers(self) -> list[str]:
        """The organizers of the listed courses, in the order they first appear."""
        return list(dict.fromkeys(entry.organizer for entry in self.registrations))


async def load_listings(ctx: ServiceContext, mails: Sequence[Claimed]) -> list[ListingFacts]:
    """The facts of each list mail whose registration (the recipient) is still stored."""
    if not mails:
        return []
    today = ctx.clock.now().astimezone(ctx.tz).date()
    found: list[ListingFacts] = []
    async with ctx.db.read() as conn:
        organizers = {org.id: org for org in await all_organizers(conn)}
        for mail in mails:
            if mail.registration_id is None or mail.payload is None:
                continue
            ids = await mailbox.active_ids(conn, mail.registration_id, today=today)
            rows = await registrations.by_ids(conn, {mail.registration_id, *ids})
            to = rows.get(mail.registration_id)
            if to is None:
                continue
            courses = {
                course.id: course
                for course in await load_courses(conn, ids={r.course_id for r in rows.values()})
            }
            listed = [
                await _listed(conn, ctx, rows[id_], courses[rows[id_].course_id], organizers)
                for id_ in ids
            ]
            listed.sort(key=lambda entry: _first_day(entry.course))
            sender = _sender(ctx, listed or [courses[to.course_id]], organizers)
            found.append(
                ListingFacts(
                    mail=mail,
                    name=to.name,
                    email=to.email,
                    registrations=listed,
                    organizer=Organizer.of(sender),
                    sender=sender,
                )
            )
    return found


async def _listed(
    conn: AsyncConnection,
    ctx: ServiceContext,
    row: RegistrationRow,
    course: CourseRecord,
    organizers: dict[int, OrganizerRecord],
) -> ListedRegistration:
    position = None
    if row.status is RegistrationStatus.WAITLISTED:
        position = await registrations.waitlist_position(
            conn, course_id=course.id, queue_no=row.queue_no
        )
    offer_due_at, offer_open = None, False
    if row.status in (RegistrationStatus.OFFERED, RegistrationStatus.WAITLISTED):
        offer = await offers.offer_of(conn, row.id)
        if offer.open_at(ctx.clock.now()):
            offer_due_at = offer.due_at
            offer_open = row.status is RegistrationStatus.WAITLISTED
    link = None
    if row.token_nonce:
        token = token_for(ctx.settings.secret_key, row.token_nonce)
        link = manage_url(ctx.settings.base_url, token)
    org = organizers.get(course.organizer_id)
    return ListedRegistration(
        course=course,
        organizer=org.name if org is not None else "",
        status=row.status,
        waitlist_position=position,
        format=course.format_by_id(row.format_id),
        link=link,
        offer_due_at=offer_due_at,
        offer_open=offer_open,
    )


def _sender(
    ctx: ServiceContext,
    listed: Sequence[ListedRegistration | CourseRecord],
    organizers: dict[int, OrganizerRecord],
) -> str:
    """The organizer's sender when every course listed is one organizer's, else the setting."""
    mail_from = ctx.settings.mail_from
    ids = {(e.course if isinstance(e, ListedRegistration) else e).organizer_id for e in listed}
    org = organizers.get(ids.pop()) if len(ids) == 1 else None
    return mail_from if org is None else organizer_sender(org, mail_from)


def _first_day(course: CourseRecord) -> tuple[object, ...]:
    days = [session.day for session in course.sessions]
    return (min(days) if days else course.deadline, course.title)
