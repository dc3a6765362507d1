"""The writes of a schedule import: course rows, and their formats and sessions made to match.

An import reads what it compares against for the whole file up front (`stored_courses`: a few
statements, whatever the number of courses), decides course by course in Python, and writes in
batches (`create_courses`, `SyncBatch`): one statement per table and kind of write rather than
several per course. What changed is returned as data (old and new values); the service words
it for the report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Row, Table, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.fair_seats import HOLDING_STATUSES
from courses.domain.rules import ACTIVE_STATUSES
from courses.storage.course_leaders import set_course_leaders
from courses.storage.courses import course_record
from courses.storage.tables import course_table, format_table, registration_table, session_table

__all__ = [
    "Child",
    "ChildChanges",
    "StoredCourse",
    "SyncBatch",
    "create_course",
    "create_courses",
    "formats_in_use",
    "stored_course",
    "stored_courses",
    "sync_formats",
    "sync_sessions",
]

T = TypeVar("T")
_ACTIVE = [s.value for s in ACTIVE_STATUSES]
_HOLDING = {s.value for s in HOLDING_STATUSES}
# Slugs or ids per IN list: well under the bound-parameter limits of SQLite and asyncpg.
_CHUNK = 500
# What identifies a child within its course: a format by its key, a session by its position.
_IDENTITY = {format_table.name: "key", session_table.name: "position"}


@dataclass(frozen=True, slots=True)
class Child:
    """One format (identity: its key) or session (identity: its position) as wanted."""

    identity: Any
    values: dict[str, Any]


@dataclass(slots=True)
class ChildChanges:
    touched: list[tuple[Child, dict[str, tuple[Any, Any]] | None]] = field(default_factory=list)
    """In the file's order: (child, None) for an added one, (child, {column: (old, new)}) for
    one with a column that differs."""
    removed: list[dict[str, Any]] = field(default_factory=list)
    """The stored rows of removed children."""


@dataclass(frozen=True, slots=True)
class StoredCourse:
    """A course as the import found it: its row, its formats' and sessions' rows (in position
    order), the active registrations of each format and the seats they hold (confirmed or
    waiting for the manager), by key; formats without are left out."""

    row: Row[Any]
    formats: list[Row[Any]]
    sessions: list[Row[Any]]
    active: dict[str, int]
    held: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.row.id)

    @property
    def values(self) -> dict[str, Any]:
        """The course row's columns."""
        return dict(self.row._mapping)

    def record(self) -> CourseRecord:
        return course_record(self.row, self.formats, self.sessions)

    def formats_in_use(self, keep: Iterable[str]) -> list[tuple[str, int]]:
        """(format key, active registrations) of the formats not in `keep` that people are
        registered for, by key."""
        kept = set(keep)
        return sorted((key, n) for key, n in self.active.items() if key not in kept)


def _by_rank(stored: Sequence[Row[Any]], wanted: list[Child]) -> list[Child]:
    """`wanted` (identities 1..n in file order) re-keyed to the stored sessions' positions."""
    positions = sorted(int(row.position) for row in stored)
    after = positions[-1] if positions else 0
    return [
        Child(
            identity=positions[rank]
            if rank < len(positions)
            else after + rank - len(positions) + 1,
            values=child.values,
        )
        for rank, child in enumerate(wanted)
    ]


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


async def stored_courses(conn: AsyncConnection, slugs: Iterable[str]) -> dict[str, StoredCourse]:
    """The stored courses among `slugs`, by slug (a new slug is missing), with their formats,
    sessions and active registrations per format.

    Each course row is locked first, as an UPDATE would lock it (in id order, so that two
    imports queue rather than deadlock): registrations and cancellations of these courses wait
    for the import, and what is read after the lock stays true until it commits.
    """
    course_rows: list[Row[Any]] = []
    for some in _chunks(sorted(set(slugs))):
        found = await conn.execute(
            select(course_table)
            .where(course_table.c.slug.in_(some))
            .order_by(course_table.c.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE; nothing on SQLite
        )
        course_rows += found.all()
    ids = [int(row.id) for row in course_rows]
    formats = await _children(conn, format_table, ids)
    sessions = await _children(conn, session_table, ids)
    key_of = {row.id: (row.course_id, row.key) for rows in formats.values() for row in rows}
    active: dict[int, dict[str, int]] = defaultdict(dict)
    held: dict[int, dict[str, int]] = defaultdict(dict)
    reg = registration_table.c
    for chunk in _chunks(ids):
        found = await conn.execute(
            select(reg.format_id, reg.status, func.count())
            .where(reg.course_id.in_(chunk), reg.status.in_(_ACTIVE), reg.format_id.is_not(None))
            .group_by(reg.format_id, reg.status)
        )
        for format_id, status, count in found.all():
            course_id, key = key_of[format_id]
            active[course_id][key] = active[course_id].get(key, 0) + int(count)
            if status in _HOLDING:
                held[course_id][key] = held[course_id].get(key, 0) + int(count)
    return {
        row.slug: StoredCourse(row, formats[row.id], sessions[row.id], active[row.id], held[row.id])
        for row in course_rows
    }


async def _children(
    conn: AsyncConnection, table: Table, course_ids: Sequence[int]
) -> dict[int, list[Row[Any]]]:
    by_course: dict[int, list[Row[Any]]] = defaultdict(list)
    for chunk in _chunks(course_ids):
        found = await conn.execute(
            select(table)
            .where(table.c.course_id.in_(chunk))
            .order_by(table.c.course_id, table.c.position)
        )
        for row in found.all():
            by_course[row.course_id].append(row)
    return by_course


async def formats_in_use(
    conn: AsyncConnection, slug: str, keep: Sequence[str]
) -> list[tuple[str, int]]:
    """(format key, active registrations) of the course's formats that are not in `keep`."""
    fmt, reg = format_table.c, registration_table.c
    found = await conn.execute(
        select(fmt.key, func.count(reg.id))
        .join(course_table, course_table.c.id == fmt.course_id)
        .join(registration_table, reg.format_id == fmt.id)
        .where(course_table.c.slug == slug)
        .where(fmt.key.not_in(keep))
        .where(reg.status.in_(_ACTIVE))
        .group_by(fmt.key)
    )
    return [(key, int(count)) for key, count in found.all()]


async def stored_course(conn: AsyncConnection, slug: str) -> dict[str, Any] | None:
    """The course row's columns, or None for a new slug."""
    row = (await conn.execute(select(course_table).where(course_table.c.slug == slug))).first()
    return None if row is None else dict(row._mapping)


async def create_course(
    conn: AsyncConnection, slug: str, values: dict[str, Any], *, now: datetime
) -> int:
    return (await create_courses(conn, {slug: values}, now=now))[slug]


async def create_courses(
    conn: AsyncConnection, values_by_slug: Mapping[str, Mapping[str, Any]], *, now: datetime
) -> dict[str, int]:
    """Insert the courses ({slug: their columns}, every one with the same columns) in one
    statement, and their leaders' rows; their ids by slug."""
    if not values_by_slug:
        return {}
    rows = [
        {"slug": slug, "created_at": now, "updated_at": now, **values}
        for slug, values in values_by_slug.items()
    ]
    c = course_table.c
    found = await conn.execute(course_table.insert().returning(c.id, c.slug), rows)
    ids = {slug: int(course_id) for course_id, slug in found.all()}
    await set_course_leaders(
        conn,
        {ids[slug]: values.get("leaders", []) for slug, values in values_by_slug.items()},
        new=True,
    )
    return ids


@dataclass(slots=True)
class SyncBatch:
    """The child writes of many courses, decided first (`formats`, `sessions`) and written
    together (`flush`): one statement per table for its inserts, its updates and its deletes."""

    _inserts: dict[Table, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _updates: dict[Table, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _deletes: dict[Table, list[int]] = field(default_factory=lambda: defaultdict(list))

    def formats(
        self, course_id: int, stored: Sequence[Row[Any]], wanted: list[Child]
    ) -> ChildChanges:
        """Make the course's formats (`stored`, as read) those `wanted`; what changes."""
        return self._plan(format_table, course_id, stored, wanted)

    def sessions(
        self, course_id: int, stored: Sequence[Row[Any]], wanted: list[Child]
    ) -> ChildChanges:
        """The file's n-th session is the course's n-th stored one (by position), whatever its
        position: a session cancelled on its own leaves a gap in the positions (invites and
        attendance keep naming the others by theirs), and the course's file must still import
        back unchanged. Sessions past the stored ones get the next free positions."""
        return self._plan(session_table, course_id, stored, _by_rank(stored, wanted))

    def _plan(
        self, table: Table, course_id: int, stored: Sequence[Row[Any]], wanted: list[Child]
    ) -> ChildChanges:
        identity = _IDENTITY[table.name]
        existing = {getattr(row, identity): row._mapping for row in stored}
        changes = ChildChanges()
        for child in wanted:
            found = existing.pop(child.identity, None)
            if found is None:
                row = {"course_id": course_id, identity: child.identity, **child.values}
                self._inserts[table].append(row)
                changes.touched.append((child, None))
                continue
            differ = {k: (found[k], v) for k, v in child.values.items() if found[k] != v}
            if differ:
                self._updates[table].append({"sync_id": found["id"], **child.values})
                changes.touched.append((child, differ))
        # A format gets here only without active registrations (checked before any write).
        for found in sorted(existing.values(), key=lambda row: row["id"]):
            self._deletes[table].append(found["id"])
            changes.removed.append(dict(found))
        return changes

    async def flush(self, conn: AsyncConnection) -> None:
        for table, ids in self._deletes.items():
            for chunk in _chunks(ids):
                await conn.execute(delete(table).where(table.c.id.in_(chunk)))
        for table, rows in self._updates.items():
            columns = [k for k in rows[0] if k != "sync_id"]
            statement = (
                update(table)
                .where(table.c.id == bindparam("sync_id"))
                .values({column: bindparam(f"sync_{column}") for column in columns})
            )
            params = [
                {"sync_id": r["sync_id"], **{f"sync_{k}": r[k] for k in columns}} for r in rows
            ]
            await conn.execute(statement, params)
        for table, rows in self._inserts.items():
            await conn.execute(table.insert(), rows)
        self._inserts.clear()
        self._updates.clear()
        self._deletes.clear()


async def _sync(
    conn: AsyncConnection, table: Table, course_id: int, wanted: list[Child]
) -> ChildChanges:
    rows = await conn.execute(
        select(table).where(table.c.course_id == course_id).order_by(table.c.position)
    )
    batch = SyncBatch()
    changes = batch._plan(table, course_id, rows.all(), wanted)
    await batch.flush(conn)
    return changes


async def sync_formats(conn: AsyncConnection, course_id: int, wanted: list[Child]) -> ChildChanges:
    return await _sync(conn, format_table, course_id, wanted)


async def sync_sessions(conn: AsyncConnection, course_id: int, wanted: list[Child]) -> ChildChanges:
    return await _sync(conn, session_table, course_id, wanted)
