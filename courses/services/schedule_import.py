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

from courses.schedule.load import Problem, ScheduleError
from courses.schedule.spec import CourseSpec, EmployerSpec, Schedule
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
from courses.services.waitlist import promote_waitlisted
from courses.storage.courses import bump_revision, load_course, lock_course
from courses.storage.employers import save_employer
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
    kind: str  # "employer" or "course"
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
    ctx: ServiceContext, schedule: Schedule, *, dry_run: bool = False, source: str = "<schedule>"
) -> ImportReport:
    """Bring employers and courses in line with `schedule`; things not in it are left alone.

    Raises ScheduleError (nothing written) when the file conflicts with what is stored.
    """
    now = ctx.clock.now()
    report: ImportReport | None = None
    try:
        async with ctx.db.write() as conn:
            await _check_against_database(conn, schedule, source)
            items = [await _upsert_employer(conn, spec) for spec in schedule.employer]
            promoted = notified = 0
            for spec in schedule.course:
                before = await load_course(conn, spec.slug)
                item = await _upsert_course(conn, spec, now)
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
    except _DryRun:
        pass
    assert report is not None
    if not dry_run:
        ctx.mail_signal.notify()
    return report


async def _check_against_database(conn: AsyncConnection, schedule: Schedule, source: str) -> None:
    problems: list[Problem] = []
    for index, spec in enumerate(schedule.course, start=1):
        for key, count in await formats_in_use(conn, spec.slug, [f.key for f in spec.format]):
            problems.append(
                Problem(
                    f"course[{index}] ({spec.slug}).format",
                    f"Formatet {key!r} saknas i filen men har {count} aktiva anmälningar; "
                    "det kan inte tas bort.",
                )
            )
    if problems:
        raise ScheduleError(source, problems)


async def _upsert_employer(conn: AsyncConnection, spec: EmployerSpec) -> ItemReport:
    values = {"name": spec.name, "kind": spec.kind, "domains": [d.lower() for d in spec.domains]}
    before, changed = await save_employer(conn, key=spec.key, **values)  # type: ignore[arg-type]
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


async def _upsert_course(conn: AsyncConnection, spec: CourseSpec, now: datetime) -> ItemReport:
    values = _course_values(spec)
    stored = await stored_course(conn, spec.slug)
    formats, sessions = format_children(spec), session_children(spec)
    if stored is None:
        course_id = await create_course(conn, spec.slug, values, now=now)
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
