"""Import a schedule file: validated whole, atomic, idempotent.

Everything happens in one write transaction: first the checks that need the database (a format
that people are registered for cannot disappear), then the writes. A dry run does the same work
and rolls back, so its report is exactly what a real import would do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import ACTIVE_STATUSES
from courses.schedule.load import Problem, ScheduleError
from courses.schedule.spec import CourseSpec, EmployerSpec, Schedule
from courses.services.context import ServiceContext
from courses.services.course_changes import notify_course_change
from courses.services.records import load_course
from courses.services.waitlist import lock_course, promote_waitlisted
from courses.storage.seats import recount_seats
from courses.storage.tables import (
    course_table,
    employer_table,
    format_table,
    registration_table,
    session_table,
)

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


_COURSE_FIELDS = {
    "title": "titel",
    "description": "beskrivning",
    "leaders": "kursledare",
    "deadline": "sista anmälningsdag",
    "opens": "anmälan öppnar",
    "seats": "platser",
    "waitlist": "reservlista",
    "info_url": "informationslänk",
    "status": "status",
}
_FORMAT_FIELDS = {
    "kind": "typ",
    "place": "ort",
    "seats": "platser",
    "meeting_url": "möteslänk",
}
_SESSION_FIELDS = {
    "day": "datum",
    "start_time": "start",
    "end_time": "slut",
    "place": "plats",
}


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
    fmt = format_table.c
    reg = registration_table.c
    for index, spec in enumerate(schedule.course, start=1):
        keep = [f.key for f in spec.format]
        in_use = await conn.execute(
            select(fmt.key, func.count(reg.id))
            .join(course_table, course_table.c.id == fmt.course_id)
            .join(registration_table, reg.format_id == fmt.id)
            .where(course_table.c.slug == spec.slug)
            .where(fmt.key.not_in(keep))
            .where(reg.status.in_([s.value for s in ACTIVE_STATUSES]))
            .group_by(fmt.key)
        )
        for key, count in in_use.all():
            problems.append(
                Problem(
                    f"course[{index}] ({spec.slug}).format",
                    f"Formatet {key!r} saknas i filen men har {count} aktiva anmälningar; "
                    "det kan inte tas bort.",
                )
            )
    if problems:
        raise ScheduleError(source, problems)


def _diff(
    old: Mapping[str, Any], new: Mapping[str, Any], names: Mapping[str, str], prefix: str = ""
) -> Iterator[str]:
    for name, label in names.items():
        if old.get(name) != new.get(name):
            yield f"{prefix}{label}: {_show(old.get(name))} → {_show(new.get(name))}"


def _show(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


async def _upsert_employer(conn: AsyncConnection, spec: EmployerSpec) -> ItemReport:
    values = {"name": spec.name, "kind": spec.kind, "domains": [d.lower() for d in spec.domains]}
    table = employer_table
    row = (await conn.execute(select(table).where(table.c.key == spec.key))).first()
    if row is None:
        await conn.execute(table.insert().values(key=spec.key, **values))
        return ItemReport("employer", spec.key, Action.CREATED)
    names = {"name": "namn", "kind": "typ", "domains": "domäner"}
    changes = list(_diff(dict(row._mapping), values, names))
    if not changes:
        return ItemReport("employer", spec.key, Action.UNCHANGED)
    await conn.execute(update(table).where(table.c.id == row.id).values(**values))
    return ItemReport("employer", spec.key, Action.CHANGED, changes)


def _course_values(spec: CourseSpec) -> dict[str, Any]:
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
    table = course_table
    row = (await conn.execute(select(table).where(table.c.slug == spec.slug))).first()
    if row is None:
        result = await conn.execute(
            table.insert()
            .values(slug=spec.slug, created_at=now, updated_at=now, **values)
            .returning(table.c.id)
        )
        course_id = int(result.scalar_one())
        await _sync_formats(conn, course_id, spec)
        await _sync_sessions(conn, course_id, spec)
        return ItemReport("course", spec.slug, Action.CREATED)
    course_id = int(row.id)
    await lock_course(conn, course_id)
    changes = list(_diff(dict(row._mapping), values, _COURSE_FIELDS))
    changes += await _sync_formats(conn, course_id, spec)
    changes += await _sync_sessions(conn, course_id, spec)
    if not changes:
        return ItemReport("course", spec.slug, Action.UNCHANGED)
    await conn.execute(
        update(table)
        .where(table.c.id == course_id)
        .values(updated_at=now, revision=table.c.revision + 1, **values)
    )
    await recount_seats(conn, course_id)
    return ItemReport("course", spec.slug, Action.CHANGED, changes)


@dataclass(frozen=True, slots=True)
class _Child:
    """One format or session as the file wants it, under its identity within the course."""

    identity: dict[str, Any]  # {"key": ...} for formats, {"position": ...} for sessions
    values: dict[str, Any]
    name: str  # how a report names it: "format digital", "kursdag 2"
    added: str  # the report line when it is new


async def _sync_children(
    conn: AsyncConnection,
    table: Table,
    course_id: int,
    wanted: list[_Child],
    fields: Mapping[str, str],
    removed: Callable[[Any], str],
) -> list[str]:
    """Insert, update and delete a course's formats or sessions to match `wanted`.

    Fields not in `fields` (a format's order) are stored when they change but not reported.
    """
    (identity_column,) = wanted[0].identity
    rows = await conn.execute(select(table).where(table.c.course_id == course_id))
    existing = {getattr(row, identity_column): row for row in rows.all()}
    changes: list[str] = []
    for child in wanted:
        row = existing.pop(child.identity[identity_column], None)
        if row is None:
            await conn.execute(
                table.insert().values(course_id=course_id, **child.identity, **child.values)
            )
            changes.append(child.added)
            continue
        stored = dict(row._mapping)
        found = list(_diff(stored, child.values, fields, prefix=f"{child.name} "))
        if found or any(stored[k] != v for k, v in child.values.items()):
            await conn.execute(update(table).where(table.c.id == row.id).values(**child.values))
            changes += found
    for row in existing.values():
        # A format gets here only without active registrations (checked before any write).
        await conn.execute(delete(table).where(table.c.id == row.id))
        changes.append(removed(row))
    return changes


async def _sync_formats(conn: AsyncConnection, course_id: int, spec: CourseSpec) -> list[str]:
    wanted = [
        _Child(
            identity={"key": fmt.key},
            values={
                "kind": fmt.kind,
                "place": fmt.place,
                "seats": fmt.seats,
                "meeting_url": fmt.meeting_url,
                "position": position,
            },
            name=f"format {fmt.key}",
            added=f"nytt format {fmt.key}",
        )
        for position, fmt in enumerate(spec.format, start=1)
    ]
    return await _sync_children(
        conn,
        format_table,
        course_id,
        wanted,
        _FORMAT_FIELDS,
        lambda row: f"format {row.key} borttaget",
    )


async def _sync_sessions(conn: AsyncConnection, course_id: int, spec: CourseSpec) -> list[str]:
    wanted = [
        _Child(
            identity={"position": position},
            values={
                "day": session.date,
                "start_time": session.start,
                "end_time": session.end,
                "place": session.place,
            },
            name=f"kursdag {position}",
            added=f"ny kursdag {position}: {session.date}",
        )
        for position, session in enumerate(spec.session, start=1)
    ]
    return await _sync_children(
        conn,
        session_table,
        course_id,
        wanted,
        _SESSION_FIELDS,
        lambda row: f"kursdag {row.position} borttagen ({row.day})",
    )
