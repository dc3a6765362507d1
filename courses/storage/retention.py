"""The purge's statements (gallring): which courses are due, and blanking one batch of a course's
registrations in the caller's transaction.

`PERSONAL_DATA` is the one list of the registration columns that hold personal data and what a
purge leaves in each: a new column about a person (a manager's address) is added there, and the
purge, its dry run and the tests that scan every table follow.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, literal, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.retention_tables import purge_run_table
from courses.storage.staff_tables import attendance_table, audit_table
from courses.storage.tables import course_table, outbox_table, registration_table, session_table

__all__ = [
    "PERSONAL_DATA",
    "PURGED_NAME",
    "BatchCounts",
    "DueCourse",
    "PurgedPerson",
    "claim_day",
    "due_courses",
    "finish_day",
    "lock_batch",
    "purge_batch",
    "scrub_audit",
]

_REG = registration_table.c
_OUT = outbox_table.c
_MARK = attendance_table.c
_AUDIT = audit_table.c

PURGED_NAME = "(gallrad)"
"""What lists show in place of a purged registrant's name."""


def _purged_key(prefix: str) -> ColumnElement[str]:
    # Unique per row, so the unique token hash and the active-email index never collide; a
    # real hash is hex and a real key holds an @, so neither can equal it.
    return literal(prefix) + cast(_REG.id, String)


PERSONAL_DATA: Mapping[str, ColumnElement[Any]] = {
    "name": literal(PURGED_NAME),
    "email": literal(""),
    "email_key": _purged_key("purged:"),
    "workplace": literal(""),
    "phone": null(),
    "message": null(),
    # The link dies with the data: no token hashes to this, so it answers 404.
    "token_hash": _purged_key("purged:"),
    "token_nonce": null(),
    # Manager approval: the manager's address is about a person; the approval link dies too
    # (its hash and nonce go, so the link answers 404 and no mail can carry it again).
    "manager_email": null(),
    "approval_token_hash": null(),
    "approval_nonce": null(),
}
"""Registration column -> what the purge leaves in it. Status, employer, format, course, queue
number and timestamps stay: the statistics per course, employer and format are made of them."""

# Leaders' addresses in attendance marks name people too; the marks themselves stay (counts).
_MARKED_BY_PURGED = "(gallrat)"
_NOT_PURGED = _REG.purged_at.is_(None)


@dataclass(frozen=True, slots=True)
class DueCourse:
    """A course past its retention with registrations still holding personal data."""

    id: int
    slug: str
    title: str
    organizer_id: int
    last_day: date
    registrations: int
    mails: int
    attendance: int


@dataclass(frozen=True, slots=True)
class PurgedPerson:
    id: int
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class BatchCounts:
    registrations: int
    mails: int
    attendance: int


def _count_of(table: Any, registration_column: Any) -> Any:
    """Rows of `table` about the course's registrations not yet purged (for the dry run)."""
    return (
        select(func.count())
        .select_from(table)
        .join(registration_table, _REG.id == registration_column)
        .where(_REG.course_id == course_table.c.id, _NOT_PURGED)
        .scalar_subquery()
    )


async def due_courses(conn: AsyncConnection, *, through: date) -> list[DueCourse]:
    """Courses whose last session (the deadline for one without sessions) was on or before
    `through` and that still have registrations to purge, by last day then slug."""
    c = course_table.c
    last = (
        select(session_table.c.course_id, func.max(session_table.c.day).label("day"))
        .group_by(session_table.c.course_id)
        .subquery("last_session")
    )
    last_day = func.coalesce(last.c.day, c.deadline)
    pending = (
        select(func.count())
        .select_from(registration_table)
        .where(_REG.course_id == c.id, _NOT_PURGED)
        .scalar_subquery()
    )
    query = (
        select(
            c.id,
            c.slug,
            c.title,
            c.organizer_id,
            last_day.label("last_day"),
            pending.label("registrations"),
            _count_of(outbox_table, _OUT.registration_id).label("mails"),
            _count_of(attendance_table, _MARK.registration_id).label("attendance"),
        )
        .select_from(course_table)
        .outerjoin(last, last.c.course_id == c.id)
        .where(last_day <= through, pending > 0)
        .order_by(last_day, c.slug)
    )
    return [DueCourse(**row._asdict()) for row in (await conn.execute(query)).all()]


async def lock_batch(conn: AsyncConnection, course_id: int, *, limit: int) -> list[PurgedPerson]:
    """Up to `limit` of the course's registrations not yet purged, locked until commit.

    On PostgreSQL a second purge waits here for the first's batch and then finds those rows
    purged (the lock re-checks the condition); on SQLite the write transaction is exclusive.
    """
    found = await conn.execute(
        select(_REG.id, _REG.name, _REG.email)
        .where(_REG.course_id == course_id, _NOT_PURGED)
        .order_by(_REG.id)
        .limit(limit)
        .with_for_update()
    )
    return [PurgedPerson(int(id_), name, email) for id_, name, email in found.all()]


async def purge_batch(conn: AsyncConnection, ids: Collection[int], *, now: datetime) -> BatchCounts:
    """Blank the registrations `ids` (those not purged yet), delete their mails, anonymise
    their attendance marks. Counts are of what this call changed."""
    if not ids:
        return BatchCounts(0, 0, 0)
    purged = await conn.execute(
        update(registration_table)
        .where(_REG.id.in_(list(ids)), _NOT_PURGED)
        .values(**PERSONAL_DATA, purged_at=now)
        .returning(_REG.id)
    )
    done = [int(id_) for id_ in purged.scalars()]
    if not done:
        return BatchCounts(0, 0, 0)
    mails = await conn.execute(delete(outbox_table).where(_OUT.registration_id.in_(done)))
    marks = await conn.execute(
        update(attendance_table)
        .where(_MARK.registration_id.in_(done))
        .values(marked_by=_MARKED_BY_PURGED)
    )
    return BatchCounts(len(done), int(mails.rowcount), int(marks.rowcount))


def _without(value: Any, names: Sequence[str]) -> Any:
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, PURGED_NAME)
        return value
    if isinstance(value, list):
        return [_without(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, names) for key, item in value.items()}
    return value


async def scrub_audit(
    conn: AsyncConnection, course_slug: str, people: Sequence[PurgedPerson]
) -> int:
    """Replace the purged people's names and addresses in the course's audit entries (an
    admin's "Avanmälde Kim (kim@…)"); the entries stay. Returns how many were changed."""
    # Longest first, so an address is replaced whole before a name inside it.
    names = sorted(
        {text for p in people for text in (p.email, p.name) if len(text) > 1},
        key=len,
        reverse=True,
    )
    if not names:
        return 0
    found = await conn.execute(
        select(_AUDIT.id, _AUDIT.summary, _AUDIT.details).where(_AUDIT.course_slug == course_slug)
    )
    changed = 0
    for id_, summary, details in found.all():
        new_summary, new_details = _without(summary, names), _without(details, names)
        if new_summary != summary or new_details != details:
            await conn.execute(
                update(audit_table)
                .where(_AUDIT.id == id_)
                .values(summary=new_summary, details=new_details)
            )
            changed += 1
    return changed


async def claim_day(conn: AsyncConnection, day: date, *, now: datetime) -> bool:
    """Whether this caller is the one to run the daily purge of `day`: a single INSERT that
    does nothing when the day's row exists, so of several workers exactly one gets True."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    result = await conn.execute(
        insert(purge_run_table)
        .values(day=day, started_at=now)
        .on_conflict_do_nothing(index_elements=["day"])
        .returning(purge_run_table.c.day)
    )
    return result.first() is not None


async def finish_day(conn: AsyncConnection, day: date, *, now: datetime, purged: int) -> None:
    await conn.execute(
        update(purge_run_table)
        .where(purge_run_table.c.day == day)
        .values(finished_at=now, purged=purged)
    )
