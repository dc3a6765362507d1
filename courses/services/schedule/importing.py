"""Import a schedule file: validated whole, atomic, idempotent.

Everything happens in one write transaction: first the file's stored courses are read (and
locked) in a few statements, then the checks that need the database (a format that people are
registered for cannot disappear), then the writes, batched over all courses; only a changed
course costs statements of its own (its seat counts, notices and promotions). A dry
run does the same work and rolls back, so its report is exactly what a real import would do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import MailTally
from courses.domain.permissions import Actor
from courses.schedule.load import Problem, ScheduleError
from courses.schedule.lottery import draw_day
from courses.schedule.spec import CourseSpec, EmployerSpec, Schedule
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.lottery.importing import allocation_problems
from courses.services.schedule.changes import notify_course_change
from courses.services.schedule.checks import check_revisions, stored_course_problems
from courses.services.schedule.employer_sync import sync_employer
from courses.services.schedule.organizers import organizer_for_import
from courses.services.schedule.wording import (
    COURSE_FIELDS,
    child_lines,
    diff_lines,
    format_children,
    session_children,
)
from courses.services.seats.capacity import recount
from courses.services.seats.waitlist import promote_waitlisted
from courses.storage.courses import bump_revisions, load_courses
from courses.storage.employers import employer_by_key
from courses.storage.outbox_tally import outbox_mark, written_since
from courses.storage.schedule_sync import StoredCourse, SyncBatch, create_courses, stored_courses

__all__ = ["Action", "ImportReport", "ItemReport", "import_schedule"]


class Action(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class ItemReport:
    kind: str  # "organizer", "employer" or "course"
    key: str
    action: Action
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportReport:
    items: list[ItemReport]
    promoted: int
    dry_run: bool
    notified: int = 0
    """Registrants told about a change (by mail, through the outbox)."""
    mails: MailTally = field(default_factory=MailTally)
    """The outbox rows the import wrote (a dry run: would write), by kind and invite method."""

    @property
    def changed(self) -> bool:
        return any(item.action is not Action.UNCHANGED for item in self.items)


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


async def import_schedule(
    ctx: ServiceContext,
    schedule: Schedule,
    *,
    dry_run: bool = False,
    source: str = "<schedule>",
    actor: Actor | None = None,
    revisions: Mapping[str, int | None] | None = None,
) -> ImportReport:
    """Bring the organizer, employers and courses in line with `schedule`; things not in it
    are left alone. `actor` (default: the command line) must administer the file's organizer;
    a real import is written to the audit log.

    `revisions` (the course editor's) names, by slug, the revision a course had when the
    form was opened, or None for a course that must be new: a course changed meanwhile raises
    StaleCourse, a "new" slug that is taken a ScheduleError at its `slug`.

    Raises ScheduleError (nothing written) when the file conflicts with what is stored, and
    Forbidden when the actor may not import for its organizer.
    """
    actor = actor or Actor.command_line()
    now = ctx.clock.now()
    report: ImportReport | None = None
    try:
        async with ctx.db.write() as conn:
            organizer, organizer_changes = await organizer_for_import(
                conn, schedule.organizer, actor=actor, settings=ctx.settings, now=now, source=source
            )
            stored = await stored_courses(conn, [spec.slug for spec in schedule.course])
            check_revisions(schedule, stored, revisions or {}, source)
            await _check_against_database(conn, schedule, stored, source, organizer.id)
            mark = await outbox_mark(conn)
            items = _organizer_items(schedule, organizer.key, organizer_changes)
            items += [
                await _upsert_employer(conn, spec, organizer.id, now=now)
                for spec in schedule.employer
            ]
            course_items, changed = await _upsert_courses(
                conn, schedule.course, stored, now, organizer.id
            )
            items += course_items
            promoted = notified = 0
            ids = [stored[slug].id for slug in changed]
            after = {c.slug: c for c in await load_courses(conn, ids=ids)} if ids else {}
            for slug in changed:
                course = after[slug]
                notified += await notify_course_change(conn, stored[slug].record(), course, now=now)
                promoted += len(
                    await promote_waitlisted(
                        conn, course, now=now, tz=ctx.tz, secret_key=ctx.settings.secret_key
                    )
                )
            report = ImportReport(
                items=items,
                promoted=promoted,
                dry_run=dry_run,
                notified=notified,
                mails=await written_since(conn, mark, ids),
            )
            if dry_run:
                raise _DryRun
            if report.changed:  # a no-op import changes nothing, the audit log included
                await _audit(conn, actor, report, organizer_id=organizer.id, source=source, now=now)
    except _DryRun:
        pass
    assert report is not None
    if not dry_run:
        ctx.mail_signal.notify()
    return report


def _organizer_items(schedule: Schedule, key: str, changes: list[str] | None) -> list[ItemReport]:
    if changes is None:
        return [ItemReport("organizer", key, Action.CREATED)]
    if changes:
        return [ItemReport("organizer", key, Action.CHANGED, changes)]
    if schedule.organizer is not None:
        return [ItemReport("organizer", key, Action.UNCHANGED)]
    return []


async def _audit(
    conn: AsyncConnection,
    actor: Actor,
    report: ImportReport,
    *,
    organizer_id: int,
    source: str,
    now: datetime,
) -> None:
    counts = {a.value: sum(1 for i in report.items if i.action is a) for a in Action}
    courses = [i.key for i in report.items if i.kind == "course"]
    await record(
        conn,
        actor,
        "schedule.import",
        at=now,
        organizer_id=organizer_id,
        # A file of one course (the course editor's save) is that course's entry too.
        course_slug=courses[0] if len(courses) == 1 else None,
        summary=(
            f"Importerade {source}: {counts['created']} nya, {counts['changed']} ändrade, "
            f"{counts['unchanged']} oförändrade."
        ),
        details={
            "source": source,
            **counts,
            "promoted": report.promoted,
            "notified": report.notified,
            "changed_items": [
                {"kind": i.kind, "key": i.key, "action": i.action.value, "changes": i.changes}
                for i in report.items
                if i.action is not Action.UNCHANGED
            ],
        },
    )


async def _check_against_database(
    conn: AsyncConnection,
    schedule: Schedule,
    stored: Mapping[str, StoredCourse],
    source: str,
    organizer_id: int,
) -> None:
    problems: list[Problem] = []
    for index, employer in enumerate(schedule.employer, start=1):
        other = await employer_by_key(conn, employer.key)
        if other is not None and other.organizer_id != organizer_id:
            problems.append(
                Problem(
                    f"employer[{index}] ({employer.key}).key",
                    f"Arbetsgivaren {employer.key!r} hör till en annan arrangör.",
                )
            )
    for index, spec in enumerate(schedule.course, start=1):
        found = stored.get(spec.slug)
        if found is not None:
            problems += stored_course_problems(index, spec, found, organizer_id=organizer_id)
    problems += await allocation_problems(conn, schedule, stored)
    if problems:
        raise ScheduleError(source, problems)


async def _upsert_employer(
    conn: AsyncConnection, spec: EmployerSpec, organizer_id: int, *, now: datetime
) -> ItemReport:
    action, lines = await sync_employer(conn, spec, organizer_id, now=now)
    return ItemReport("employer", spec.key, Action(action), lines)


def _course_values(spec: CourseSpec) -> dict[str, object]:
    return {
        "title": spec.title,
        "description": spec.description,
        "leaders": [
            {"name": leader.name, **({"email": leader.email} if leader.email else {})}
            for leader in spec.leaders
        ],
        "deadline": spec.deadline,
        "opens": spec.opens,
        "seats": spec.seats,
        "waitlist": spec.waitlist,
        "info_url": spec.info_url,
        "status": spec.status,
        "approval_days": spec.answer_days,
        "allocation": spec.allocation,
        "draw_on": draw_day(spec),
        "per_employer": spec.per_employer,
        "share_until": spec.share_until,
        "offer_hours": spec.offer_hours,
        "offer_until_hours": spec.offer_until_hours,
    }


async def _upsert_courses(
    conn: AsyncConnection,
    specs: Sequence[CourseSpec],
    stored: Mapping[str, StoredCourse],
    now: datetime,
    organizer_id: int,
) -> tuple[list[ItemReport], list[str]]:
    """Create, update or leave each course; the report's items and the changed courses' slugs.

    Every course is compared with what `stored_courses` read, and the writes of all of them go
    out together: a course that did not change costs no statement at all.
    """
    values = {spec.slug: _course_values(spec) for spec in specs}
    ids = await create_courses(
        conn,
        {
            spec.slug: {**values[spec.slug], "organizer_id": organizer_id}
            for spec in specs
            if spec.slug not in stored
        },
        now=now,
    )
    batch = SyncBatch()
    items: list[ItemReport] = []
    bumps: dict[int, dict[str, object]] = {}
    for spec in specs:
        formats, sessions = format_children(spec), session_children(spec)
        found = stored.get(spec.slug)
        if found is None:
            batch.formats(ids[spec.slug], [], formats)
            batch.sessions(ids[spec.slug], [], sessions)
            items.append(ItemReport("course", spec.slug, Action.CREATED))
            continue
        changes = list(diff_lines(found.values, values[spec.slug], COURSE_FIELDS))
        changes += child_lines("format", batch.formats(found.id, found.formats, formats))
        changes += child_lines("session", batch.sessions(found.id, found.sessions, sessions))
        if not changes:
            items.append(ItemReport("course", spec.slug, Action.UNCHANGED))
            continue
        bumps[found.id] = values[spec.slug]
        items.append(ItemReport("course", spec.slug, Action.CHANGED, changes))
    await batch.flush(conn)
    await bump_revisions(conn, bumps, now=now)
    for course_id in bumps:
        await recount(conn, course_id)
    changed = [item.key for item in items if item.action is Action.CHANGED]
    return items, changed
