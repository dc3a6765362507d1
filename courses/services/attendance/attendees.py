"""The leaders' side of a course: their courses, the attendee list, attendance.

Every function takes the actor; a course the actor may not see is answered exactly like a
course that does not exist, so a leader cannot learn which other courses are there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from courses.domain.courses import CourseRecord
from courses.domain.errors import CourseNotFound, FieldError, InvalidInput
from courses.domain.paging import Window
from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationStatus
from courses.services.attendance.wording import status_text
from courses.services.audit import audit, record
from courses.services.context import ServiceContext
from courses.storage import attendees as storage
from courses.storage.attendees import Mark
from courses.storage.course_leaders import visible_course_ids
from courses.storage.courses import load_course, load_courses

__all__ = [
    "AttendeeList",
    "AttendeeRow",
    "Mark",
    "attendee_list",
    "course_for_staff",
    "my_courses",
    "note_export",
    "set_attendance",
]


@dataclass(frozen=True, slots=True)
class AttendeeRow:
    registration_id: int
    name: str
    email: str
    phone: str | None
    employer: str
    workplace: str
    format_key: str | None
    format_label: str
    status: RegistrationStatus
    waitlist_position: int | None
    registered_at: datetime
    attendance: dict[int, bool]
    """Session position -> attended; a session not yet marked is missing."""
    manager_email: str | None = None
    """The manager who approves (or approved) the registration, on a course that asks."""
    status_text: str = ""
    """The status as the list words it, with an offer's answer time or a transfer's other
    name (`courses.services.attendance.wording`)."""
    offer_due_at: datetime | None = None
    """Until when an offered seat (or an open offer in the last window) may be answered."""
    replaces: str | None = None
    """Whose seat this registration took over (handed on by that colleague)."""
    replaced_by: str | None = None
    """To whom this registration handed its seat (status `transferred`)."""


@dataclass(frozen=True, slots=True)
class AttendeeList:
    course: CourseRecord
    rows: list[AttendeeRow]
    """Everyone, or the window asked for."""
    counts: Mapping[RegistrationStatus, int] = field(default_factory=dict)
    """The whole course's registrations by status, whichever rows were read."""
    window: Window | None = None

    @property
    def total(self) -> int:
        """How many rows the whole list has (without the cancelled if they were left out)."""
        return sum(self.counts.values())

    @property
    def asks_manager(self) -> bool:
        """Whether the course's manager approves: the list then names each manager."""
        return self.course.needs_approval

    @property
    def confirmed(self) -> list[AttendeeRow]:
        return [r for r in self.rows if r.status is RegistrationStatus.CONFIRMED]


def _not_found(slug: str) -> CourseNotFound:
    # The same words as the public catalogue's, for a course that is not the actor's too.
    return CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")


def _visible(actor: Actor, course: CourseRecord) -> bool:
    return actor.may_see_course(organizer_id=course.organizer_id, leaders=course.leaders)


async def course_for_staff(ctx: ServiceContext, actor: Actor, slug: str) -> CourseRecord:
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    if course is None or not _visible(actor, course):
        raise _not_found(slug)
    return course


async def my_courses(ctx: ServiceContext, actor: Actor) -> list[CourseRecord]:
    """The courses the actor leads or administers, earliest first: only those are read (by
    the leader's address and the admin's organizers), not every course of the deployment."""
    async with ctx.db.read() as conn:
        if actor.superadmin:
            return await load_courses(conn)
        ids = await visible_course_ids(
            conn, leader_key=actor.leader_key, organizer_ids=actor.admin_of
        )
        return await load_courses(conn, ids=ids) if ids else []


def _format_label(course: CourseRecord, format_id: int | None) -> tuple[str | None, str]:
    fmt = course.format_by_id(format_id)
    if fmt is None:
        return None, ""
    return fmt.key, "Digitalt" if fmt.digital else f"På plats, {fmt.place}"


async def attendee_list(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    *,
    with_cancelled: bool = True,
    window: Window | None = None,
) -> AttendeeList:
    """Everyone registered for the course: confirmed, then those offered a seat, then the
    waitlist in order, then the cancelled and those who handed their seat on (unless left
    out), with their attendance per session; only the `window` of them if given (the counts
    are the whole course's)."""
    now = ctx.clock.now()
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
        if course is None or not _visible(actor, course):
            raise _not_found(slug)
        records = await storage.attendees(
            conn, course.id, with_cancelled=with_cancelled, window=window
        )
        counts = await storage.status_counts(conn, course.id)
    if not with_cancelled:
        counts.pop(RegistrationStatus.CANCELLED, None)
        counts.pop(RegistrationStatus.TRANSFERRED, None)
    rows = []
    for found in records:
        key, label = _format_label(course, found.format_id)
        offer_open = (
            found.offered_at is not None
            and found.offer_outcome is None
            and found.offer_due_at is not None
            and now < found.offer_due_at
        )
        # A held offer keeps its time until the worker lets it lapse; an open one is shown
        # only while it is open.
        held = found.status is RegistrationStatus.OFFERED
        due = found.offer_due_at if offer_open or held else None
        rows.append(
            AttendeeRow(
                registration_id=found.id,
                name=found.name,
                email=found.email,
                phone=found.phone,
                employer=found.employer,
                workplace=found.workplace,
                format_key=key,
                format_label=label,
                status=found.status,
                waitlist_position=found.waitlist_position,
                registered_at=found.created_at,
                attendance=found.attendance,
                manager_email=found.manager_email,
                status_text=status_text(
                    found.status,
                    tz=ctx.tz,
                    offer_due_at=due,
                    offer_outcome=found.offer_outcome,
                    offer_open=offer_open,
                    replaces=found.replaces,
                    replaced_by=found.replaced_by,
                ),
                offer_due_at=due,
                replaces=found.replaces,
                replaced_by=found.replaced_by,
            )
        )
    return AttendeeList(course, rows, counts, window)


async def set_attendance(
    ctx: ServiceContext, actor: Actor, slug: str, marks: Sequence[Mark]
) -> int:
    """Mark who attended which session; only confirmed registrations of this course and its
    own sessions can be marked. Returns how many marks were saved."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        course = await load_course(conn, slug)
        if course is None or not _visible(actor, course):
            raise _not_found(slug)
        positions = set(course.session_positions)
        statuses = await storage.statuses_in_course(
            conn, course.id, sorted({m.registration_id for m in marks})
        )
        errors = []
        for index, mark in enumerate(marks):
            if mark.session_position not in positions:
                errors.append(
                    FieldError(
                        f"marks[{index}].session",
                        f"Kursen har ingen kursdag {mark.session_position}.",
                    )
                )
            status = statuses.get(mark.registration_id)
            if status is not RegistrationStatus.CONFIRMED:
                errors.append(
                    FieldError(
                        f"marks[{index}].registration",
                        "Bara bekräftade deltagare i kursen kan få närvaro."
                        if status is not None
                        else f"Kursen har ingen anmälan {mark.registration_id}.",
                    )
                )
        if errors:
            raise InvalidInput("Närvaron kunde inte sparas.", errors)
        await storage.save_marks(conn, marks, now=now, by=actor.label)
        present = sum(1 for m in marks if m.attended)
        await record(
            conn,
            actor,
            "attendance.mark",
            at=now,
            organizer_id=course.organizer_id,
            course_slug=course.slug,
            summary=f"Markerade närvaro: {present} närvarande, {len(marks) - present} frånvarande.",
            details={
                "marks": [
                    {
                        "registration": m.registration_id,
                        "session": m.session_position,
                        "attended": m.attended,
                    }
                    for m in marks
                ]
            },
        )
    return len(marks)


async def note_export(
    ctx: ServiceContext, actor: Actor, course: CourseRecord, *, kind: str, rows: int
) -> None:
    """Every export of personal data is in the audit log."""
    await audit(
        ctx,
        actor,
        "attendees.export",
        organizer_id=course.organizer_id,
        course_slug=course.slug,
        summary=f"Exporterade deltagarlistan som {kind.upper()} ({rows} rader).",
        details={"format": kind, "rows": rows},
    )
