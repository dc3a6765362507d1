"""The course editor: a course is edited as what it is in the schedule file, one `[[course]]`
entry, and saved by importing a schedule of that one course for the admin's organizer.

Saving goes through `import_schedule` itself, so it is validated, atomic and audited as an
import is, and tells the registrants exactly what an import of the same change tells them
(a moved session: an updated invite with the same UID and a higher SEQUENCE; a removed one:
a CANCEL; a raised cap: promotions from the waitlist). A preview is the same import as a dry
run: its change lines and the mails it wrote before rolling back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from courses.domain.courses import CourseRecord
from courses.domain.errors import FieldError, Forbidden, InvalidInput
from courses.domain.notices import MailTally
from courses.domain.permissions import Actor
from courses.schedule.entry import entry_of, entry_problems, parse_course
from courses.schedule.load import Problem, ScheduleError
from courses.schedule.spec import (
    CourseSpec,
    Schedule,
)
from courses.services.context import ServiceContext
from courses.services.permissions import course_missing, require_admin
from courses.services.schedule.importing import Action, import_schedule
from courses.services.schedule.organizers import organizer_spec
from courses.storage import registrations
from courses.storage.courses import load_course
from courses.storage.organizers import OrganizerRecord, all_organizers

__all__ = ["CourseForm", "CourseSaved", "open_course", "parse_entry", "save_course"]

SOURCE = "kursredigeraren"


@dataclass(frozen=True, slots=True)
class CourseForm:
    """A stored course as the editor shows it."""

    entry: CourseSpec
    revision: int
    """The course's revision when read; a save must name it (someone else's change bumps it)."""
    registrants: int
    """Active (confirmed, waitlisted, pending) registrations: saving them an edit is previewed."""


@dataclass(frozen=True, slots=True)
class CourseSaved:
    """What a save did, or (`dry_run`) would do."""

    slug: str
    created: bool
    changes: list[str]
    """The import report's lines (empty: nothing changes)."""
    mails: MailTally
    """The outbox rows written (or that would be), by kind and invite method."""
    promoted: int
    registrants: int
    dry_run: bool
    course: CourseRecord | None
    """The course as saved (as stored before, for a dry run; None for a new one's)."""


async def open_course(ctx: ServiceContext, actor: Actor, slug: str) -> CourseForm:
    """The course as a schedule entry, with its revision. Raises Forbidden (not an admin) and
    CourseNotFound (unknown, or another organizer's)."""
    require_admin(actor)
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
        if course is None or not actor.administers(course.organizer_id):
            raise course_missing(slug)
        active = await registrations.active_in_course(conn, course.id)
    return CourseForm(entry_of(course), course.revision, len(active))


def parse_entry(document: object) -> CourseSpec:
    """A course document (the JSON form of one entry) as a CourseSpec; InvalidInput with every
    problem at its place (`title`, `session[2].end`) when it is not a valid entry."""
    try:
        return parse_course(document)
    except ScheduleError as exc:
        raise _invalid(exc.problems) from exc


async def save_course(
    ctx: ServiceContext,
    actor: Actor,
    entry: CourseSpec,
    *,
    revision: int | None,
    dry_run: bool = False,
) -> CourseSaved:
    """Create (`revision=None`: the slug must be free across the deployment) or change the
    course, as an import of a schedule holding `entry` alone; `dry_run` previews it.

    Raises Forbidden (not an admin of the course's organizer), CourseNotFound (another
    organizer's course), StaleCourse (the course's revision is no longer `revision`) and
    InvalidInput (a rule the entry breaks, with its field; nothing is saved).
    """
    require_admin(actor)
    problems = entry_problems(entry)
    if problems:
        raise _invalid(problems)
    async with ctx.db.read() as conn:
        stored = await load_course(conn, entry.slug)
        organizers = await all_organizers(conn)
        active = len(await registrations.active_in_course(conn, stored.id)) if stored else 0
    if stored is not None and not actor.administers(stored.organizer_id):
        if revision is None:  # slugs are unique across the deployment
            raise _invalid([Problem("slug", _taken(entry.slug))])
        raise course_missing(entry.slug)
    organizer = _organizer(organizers, actor=actor, stored=stored)
    schedule = Schedule(
        organizer=organizer_spec(organizer),
        course=[entry],
    )
    try:
        report = await import_schedule(
            ctx,
            schedule,
            dry_run=dry_run,
            source=f"{SOURCE} ({entry.slug})",
            actor=actor,
            revisions={entry.slug: revision},
        )
    except ScheduleError as exc:
        raise _invalid(exc.problems) from exc
    (item,) = [i for i in report.items if i.kind == "course"]
    if not dry_run:
        async with ctx.db.read() as conn:
            stored = await load_course(conn, entry.slug)
    return CourseSaved(
        slug=entry.slug,
        created=item.action is Action.CREATED,
        changes=["ny kurs"] if item.action is Action.CREATED else item.changes,
        mails=report.mails,
        promoted=report.promoted,
        registrants=active,
        dry_run=dry_run,
        course=stored,
    )


def _taken(slug: str) -> str:
    return f"Det finns redan en kurs med adressen {slug}; välj en annan."


def _organizer(
    organizers: list[OrganizerRecord], *, actor: Actor, stored: CourseRecord | None
) -> OrganizerRecord:
    """The organizer the course is saved for: a stored course's own, else the admin's."""
    if stored is not None:
        wanted = [o for o in organizers if o.id == stored.organizer_id]
    else:
        wanted = [o for o in organizers if actor.administers(o.id)]
    if len(wanted) != 1:
        raise Forbidden("Ange vilken arrangör kursen hör till: du administrerar flera.")
    return wanted[0]


def _invalid(problems: list[Problem]) -> InvalidInput:
    errors = [FieldError(_place(p.place), p.message) for p in problems]
    places = ", ".join(e.field for e in errors if e.field) or "kursen"
    return InvalidInput(f"Kursen kunde inte sparas: fel i {places}.", errors)


def _place(place: str) -> str:
    """A place within the entry (an import's `course[1] (slug).session[2].end` loses its
    `course[1] (slug).`)."""
    return re.sub(r"^course\[\d+\](?: \([^)]*\))?\.?", "", place)
