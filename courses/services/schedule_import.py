"""Import a schedule file: validated whole, atomic, idempotent.

Everything happens in one write transaction: first the checks that need the database (a format
that people are registered for cannot disappear), then the writes. A dry run does the same work
and rolls back, so its report is exactly what a real import would do.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.rules import ACTIVE_STATUSES
from courses.schedule.load import Problem, ScheduleError
from courses.schedule.spec import CourseSpec, EmployerSpec, Schedule
from courses.services.context import ServiceContext
from courses.services.records import load_course
from courses.services.waitlist import lock_course, promote_waitlisted
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
            promoted = 0
            for spec in schedule.course:
                item = await _upsert_course(conn, spec, now)
                items.append(item)
                if item.action is Action.CHANGED:
                    course = await load_course(conn, spec.slug)
                    assert course is not None
                    promoted += len(await promote_waitlisted(conn, course, now=now, tz=ctx.tz))
            report = ImportReport(items=items, promoted=promoted, dry_run=dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    assert report is not None
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
        update(table).where(table.c.id == course_id).values(updated_at=now, **values)
    )
    return ItemReport("course", spec.slug, Action.CHANGED, changes)


async def _sync_formats(conn: AsyncConnection, course_id: int, spec: CourseSpec) -> list[str]:
    table = format_table
    existing = {
        row.key: row
        for row in (await conn.execute(select(table).where(table.c.course_id == course_id))).all()
    }
    changes: list[str] = []
    for position, fmt in enumerate(spec.format, start=1):
        values = {
            "kind": fmt.kind,
            "place": fmt.place,
            "seats": fmt.seats,
            "meeting_url": fmt.meeting_url,
            "position": position,
        }
        row = existing.pop(fmt.key, None)
        if row is None:
            await conn.execute(table.insert().values(course_id=course_id, key=fmt.key, **values))
            changes.append(f"nytt format {fmt.key}")
            continue
        found = list(_diff(dict(row._mapping), values, _FORMAT_FIELDS, prefix=f"format {fmt.key} "))
        # A new order alone is stored but not reported: nobody needs to hear about it.
        if found or row.position != position:
            await conn.execute(update(table).where(table.c.id == row.id).values(**values))
            changes += found
    for key, row in existing.items():
        # Only formats without active registrations get here (checked before any write).
        await conn.execute(delete(table).where(table.c.id == row.id))
        changes.append(f"format {key} borttaget")
    return changes


async def _sync_sessions(conn: AsyncConnection, course_id: int, spec: CourseSpec) -> list[str]:
    table = session_table
    existing = {
        row.position: row
        for row in (await conn.execute(select(table).where(table.c.course_id == course_id))).all()
    }
    changes: list[str] = []
    for position, session in enumerate(spec.session, start=1):
        values = {
            "day": session.date,
            "start_time": session.start,
            "end_time": session.end,
            "place": session.place,
        }
        row = existing.pop(position, None)
        if row is None:
            await conn.execute(
                table.insert().values(course_id=course_id, position=position, **values)
            )
            changes.append(f"ny kursdag {position}: {session.date}")
            continue
        found = list(
            _diff(dict(row._mapping), values, _SESSION_FIELDS, prefix=f"kursdag {position} ")
        )
        if found:
            await conn.execute(update(table).where(table.c.id == row.id).values(**values))
            changes += found
    for position, row in existing.items():
        await conn.execute(delete(table).where(table.c.id == row.id))
        changes.append(f"kursdag {position} borttagen ({row.day})")
    return changes
