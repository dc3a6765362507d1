"""Import a schedule file: validated whole, atomic, idempotent.

Everything happens in one write transaction: first the checks that need the database (a format
that people are registered for cannot disappear), then the writes. A dry run does the same work
and rolls back, so its report is exactly what a real import would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.access import Actor
from courses.schedule.load import Problem, ScheduleError
from courses.schedule.spec import CourseSpec, EmployerSpec, Schedule
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.course_changes import notify_course_change
from courses.services.import_wording import (
    COURSE_FIELDS,
    EMPLOYER_FIELDS,
    child_lines,
    diff_lines,
    format_children,
    session_children,
)
from courses.services.organizers import organizer_for_import
from courses.services.waitlist import promote_waitlisted
from courses.storage.courses import bump_revision, load_course, lock_course
from courses.storage.employers import employer_by_key, save_employer
from courses.storage.schedule_sync import (
    create_course,
    formats_in_use,
    stored_course,
    sync_formats,
    sync_sessions,
)
from courses.storage.seats import recount_seats

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
) -> ImportReport:
    """Bring the organizer, employers and courses in line with `schedule`; things not in it
    are left alone. `actor` (default: the command line) must administer the file's organizer;
    a real import is written to the audit log.

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
            await _check_against_database(conn, schedule, source, organizer_id=organizer.id)
            items = []
            if organizer_changes is None:
                items.append(ItemReport("organizer", organizer.key, Action.CREATED))
            elif organizer_changes:
                items.append(
                    ItemReport("organizer", organizer.key, Action.CHANGED, organizer_changes)
                )
            elif schedule.organizer is not None:
                items.append(ItemReport("organizer", organizer.key, Action.UNCHANGED))
            items += [
                await _upsert_employer(conn, spec, organizer.id) for spec in schedule.employer
            ]
            promoted = notified = 0
            for spec in schedule.course:
                before = await load_course(conn, spec.slug)
                item = await _upsert_course(conn, spec, now, organizer.id)
                items.append(item)
                if item.action is Action.CHANGED:
                    assert before is not None
                    course = await load_course(conn, spec.slug)
                    assert course is not None
                    notified += await notify_course_change(conn, before, course, now=now)
                    promoted += len(await promote_waitlisted(conn, course, now=now, tz=ctx.tz))
            report = ImportReport(
                items=items, promoted=promoted, dry_run=dry_run, notified=notified
            )
            if dry_run:
                raise _DryRun
            await _audit(conn, actor, report, organizer_id=organizer.id, source=source, now=now)
    except _DryRun:
        pass
    assert report is not None
    if not dry_run:
        ctx.mail_signal.notify()
    return report


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
    await record(
        conn,
        actor,
        "schedule.import",
        at=now,
        organizer_id=organizer_id,
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
    conn: AsyncConnection, schedule: Schedule, source: str, *, organizer_id: int
) -> None:
    problems: list[Problem] = []
    for index, employer in enumerate(schedule.employer, start=1):
        found = await employer_by_key(conn, employer.key)
        if found is not None and found.organizer_id != organizer_id:
            problems.append(
                Problem(
                    f"employer[{index}] ({employer.key}).key",
                    f"Arbetsgivaren {employer.key!r} hör till en annan arrangör.",
                )
            )
    for index, course in enumerate(schedule.course, start=1):
        stored = await stored_course(conn, course.slug)
        if stored is not None and stored["organizer_id"] != organizer_id:
            problems.append(
                Problem(
                    f"course[{index}] ({course.slug}).slug",
                    f"Kursen {course.slug!r} hör till en annan arrangör.",
                )
            )
        for key, count in await formats_in_use(conn, course.slug, [f.key for f in course.format]):
            problems.append(
                Problem(
                    f"course[{index}] ({course.slug}).format",
                    f"Formatet {key!r} saknas i filen men har {count} aktiva anmälningar; "
                    "det kan inte tas bort.",
                )
            )
    if problems:
        raise ScheduleError(source, problems)


async def _upsert_employer(
    conn: AsyncConnection, spec: EmployerSpec, organizer_id: int
) -> ItemReport:
    values = {"name": spec.name, "kind": spec.kind, "domains": [d.lower() for d in spec.domains]}
    before, changed = await save_employer(
        conn,
        key=spec.key,
        organizer_id=organizer_id,
        **values,  # type: ignore[arg-type]
    )
    if before is None:
        return ItemReport("employer", spec.key, Action.CREATED)
    if not changed:
        return ItemReport("employer", spec.key, Action.UNCHANGED)
    old = {"name": before.name, "kind": before.kind, "domains": before.domains}
    return ItemReport(
        "employer", spec.key, Action.CHANGED, list(diff_lines(old, values, EMPLOYER_FIELDS))
    )


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
    }


async def _upsert_course(
    conn: AsyncConnection, spec: CourseSpec, now: datetime, organizer_id: int
) -> ItemReport:
    values = _course_values(spec)
    stored = await stored_course(conn, spec.slug)
    formats, sessions = format_children(spec), session_children(spec)
    if stored is None:
        course_id = await create_course(
            conn, spec.slug, {**values, "organizer_id": organizer_id}, now=now
        )
        await sync_formats(conn, course_id, formats)
        await sync_sessions(conn, course_id, sessions)
        return ItemReport("course", spec.slug, Action.CREATED)
    course_id = int(stored["id"])
    await lock_course(conn, course_id)
    changes = list(diff_lines(stored, values, COURSE_FIELDS))
    changes += child_lines("format", await sync_formats(conn, course_id, formats))
    changes += child_lines("session", await sync_sessions(conn, course_id, sessions))
    if not changes:
        return ItemReport("course", spec.slug, Action.UNCHANGED)
    await bump_revision(conn, course_id, now=now, **values)
    await recount_seats(conn, course_id)
    return ItemReport("course", spec.slug, Action.CHANGED, changes)
