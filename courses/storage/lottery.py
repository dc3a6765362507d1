"""The lottery's statements: applying, claiming the draw once, and writing its result.

Applying takes a queue number on the course row (so it queues on the row's lock like every
writer of the course) but no seat; the row must still be an undrawn lottery at the revision
the caller decided on. The draw is claimed by one conditional UPDATE
(`drawn_at IS NULL`): of several workers racing for it exactly one gets the row back, and the
others, queued on the row's lock, find it drawn. The result is written in bulk: one UPDATE for
the seats and one executemany for the waitlist's queue numbers.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.lottery import Allocation
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.storage.tables import course_table, registration_table
from courses.storage.types import UTCDateTime

__all__ = [
    "DrawRecord",
    "Entry",
    "applications",
    "applied_counts",
    "apply",
    "claim_draw",
    "draw_records",
    "draws_of",
    "due_draws",
    "employers_of",
    "record_counts",
    "seat",
    "waitlist",
]

_COURSE = course_table.c
_REG = registration_table.c
_CHUNK = 500
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry:
    """An application as the draw reads it."""

    id: int
    employer_id: int
    format_id: int | None


@dataclass(frozen=True, slots=True)
class DrawRecord:
    """A drawn course's draw, as the statistics show it."""

    course_id: int
    slug: str
    drawn_at: datetime
    seed: int
    applications: int
    seated: int

    @property
    def waitlisted(self) -> int:
        return self.applications - self.seated


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


_APPLY_PLACE = (
    update(course_table)
    .where(_COURSE.id == bindparam("course_id"))
    .where(_COURSE.status == CourseStatus.PUBLISHED.value)
    .where(_COURSE.revision == bindparam("expected_revision"))
    .where(_COURSE.allocation == Allocation.LOTTERY.value)
    .where(_COURSE.drawn_at.is_(None))
    .values(queue_counter=_COURSE.queue_counter + 1)
    .returning(_COURSE.queue_counter)
)
_INSERT = registration_table.insert().returning(_REG.id)


async def apply(
    conn: AsyncConnection, *, course_id: int, revision: int, row: Mapping[str, Any]
) -> int | None:
    """Insert an application (status `applied`, no seat); its id, or None when the course is
    no longer an undrawn, published lottery at `revision` (nothing written).

    A second active registration of the same person raises IntegrityError (the unique index).
    """
    params = {"course_id": course_id, "expected_revision": revision}
    queue_no = (await conn.execute(_APPLY_PLACE, params)).scalar_one_or_none()
    if queue_no is None:
        return None
    values = {
        **row,
        "status": RegistrationStatus.APPLIED.value,
        "queue_no": int(queue_no),
        "confirmed_at": None,
    }
    return int((await conn.execute(_INSERT, values)).scalar_one())


async def claim_draw(conn: AsyncConnection, course_id: int, *, seed: int, now: datetime) -> bool:
    """Mark the course drawn, once: True for the one caller that did, False when it was
    drawn already (or is not a published lottery). Bumps the revision, so every cached
    definition of the course is decided again (registering is first come from now on)."""
    found = await conn.execute(
        update(course_table)
        .where(_COURSE.id == course_id)
        .where(_COURSE.allocation == Allocation.LOTTERY.value)
        .where(_COURSE.status == CourseStatus.PUBLISHED.value)
        .where(_COURSE.drawn_at.is_(None))
        .values(drawn_at=now, draw_seed=seed, revision=_COURSE.revision + 1, updated_at=now)
        .returning(_COURSE.id)
    )
    return found.first() is not None


async def applications(conn: AsyncConnection, course_id: int) -> list[Entry]:
    """The course's applications in id order (read under the course row's lock)."""
    found = await conn.execute(
        select(_REG.id, _REG.employer_id, _REG.format_id)
        .where(_REG.course_id == course_id, _REG.status == RegistrationStatus.APPLIED.value)
        .order_by(_REG.id)
    )
    return [Entry(int(i), int(e), None if f is None else int(f)) for i, e, f in found.all()]


async def employers_of(conn: AsyncConnection, course_id: int, ids: Sequence[int]) -> dict[int, int]:
    """{registration id: employer id} of those of `ids` that are the course's registrations."""
    found: dict[int, int] = {}
    for chunk in _chunks(list(ids)):
        rows = await conn.execute(
            select(_REG.id, _REG.employer_id).where(_REG.course_id == course_id, _REG.id.in_(chunk))
        )
        found.update({int(i): int(e) for i, e in rows.all()})
    return found


async def seat(conn: AsyncConnection, ids: Sequence[int], *, now: datetime) -> None:
    """Confirm the drawn applications `ids` (the caller recounts the seat counters)."""
    for chunk in _chunks(list(ids)):
        await conn.execute(
            update(registration_table)
            .where(_REG.id.in_(chunk), _REG.status == RegistrationStatus.APPLIED.value)
            .values(
                status=RegistrationStatus.CONFIRMED.value,
                confirmed_at=now,
                updated_at=now,
            )
        )


# One statement for the whole waitlist, each id taking the queue number of its place in the
# drawn order: the list goes in as one parameter (an array on PostgreSQL, a JSON array that
# SQLite's json_each reads), not as one UPDATE per row.
_WAITLIST_POSTGRESQL = text(
    "UPDATE registration AS r SET status = 'waitlisted', queue_no = :first + v.n - 1, "
    "updated_at = :now "
    "FROM unnest(CAST(:ids AS integer[])) WITH ORDINALITY AS v(id, n) WHERE r.id = v.id"
)
_WAITLIST_SQLITE = text(
    "UPDATE registration SET status = 'waitlisted', queue_no = :first + j.key, "
    "updated_at = :now "
    "FROM json_each(:ids) AS j WHERE registration.id = j.value"
)
_NOW = bindparam("now", type_=UTCDateTime())
_WAITLIST = {
    "postgresql": _WAITLIST_POSTGRESQL.bindparams(_NOW),
    "sqlite": _WAITLIST_SQLITE.bindparams(_NOW),
}


async def waitlist(
    conn: AsyncConnection, course_id: int, ids: Sequence[int], *, now: datetime
) -> int:
    """Put `ids` on the course's waitlist in this order, behind anyone already waiting: they
    take the next queue numbers. Returns how many were waiting before them."""
    if not ids:
        return await _waiting(conn, course_id)
    taken = await conn.execute(
        update(course_table)
        .where(_COURSE.id == course_id)
        .values(queue_counter=_COURSE.queue_counter + len(ids))
        .returning(_COURSE.queue_counter)
    )
    first = int(taken.scalar_one()) - len(ids) + 1
    before = await _waiting(conn, course_id)
    postgresql = conn.dialect.name == "postgresql"
    await conn.execute(
        _WAITLIST["postgresql" if postgresql else "sqlite"],
        {"ids": list(ids) if postgresql else json.dumps(list(ids)), "first": first, "now": now},
    )
    return before


async def _waiting(conn: AsyncConnection, course_id: int) -> int:
    found = await conn.execute(
        select(func.count()).where(
            _REG.course_id == course_id, _REG.status == RegistrationStatus.WAITLISTED.value
        )
    )
    return int(found.scalar_one())


async def due_draws(conn: AsyncConnection, *, today: date) -> list[str]:
    """Slugs of the published lottery courses not yet drawn whose draw day has come."""
    found = await conn.execute(
        select(_COURSE.slug)
        .where(_COURSE.allocation == Allocation.LOTTERY.value)
        .where(_COURSE.status == CourseStatus.PUBLISHED.value)
        .where(_COURSE.drawn_at.is_(None))
        .where(_COURSE.draw_on <= today)
        .order_by(_COURSE.draw_on, _COURSE.id)
    )
    return list(found.scalars().all())


async def record_counts(
    conn: AsyncConnection, course_id: int, *, applications: int, seated: int
) -> None:
    await conn.execute(
        update(course_table)
        .where(_COURSE.id == course_id)
        .values(draw_applications=applications, draw_seated=seated)
    )


_DRAWS = select(
    _COURSE.id,
    _COURSE.slug,
    _COURSE.drawn_at,
    _COURSE.draw_seed,
    _COURSE.draw_applications,
    _COURSE.draw_seated,
).where(_COURSE.drawn_at.is_not(None))


def _record(row: Any) -> DrawRecord:
    return DrawRecord(
        int(row.id),
        row.slug,
        row.drawn_at,
        int(row.draw_seed),
        int(row.draw_applications or 0),
        int(row.draw_seated or 0),
    )


async def draw_records(conn: AsyncConnection, course_ids: Sequence[int]) -> dict[int, DrawRecord]:
    """The draws of those of `course_ids` that are drawn, by course id."""
    records: dict[int, DrawRecord] = {}
    for chunk in _chunks(list(course_ids)):
        for row in await conn.execute(_DRAWS.where(_COURSE.id.in_(chunk))):
            records[int(row.id)] = _record(row)
    return records


async def draws_of(
    conn: AsyncConnection, *, organizer_ids: Collection[int] | None
) -> dict[str, DrawRecord]:
    """Every drawn course's draw, by slug: the organizers' (None: every organizer's)."""
    query = _DRAWS
    if organizer_ids is not None:
        query = query.where(_COURSE.organizer_id.in_(organizer_ids))
    return {row.slug: _record(row) for row in await conn.execute(query)}


async def applied_counts(conn: AsyncConnection, course_ids: Sequence[int]) -> dict[int, int]:
    """{course id: applications not yet drawn} of those of `course_ids` that have any."""
    counts: dict[int, int] = {}
    for chunk in _chunks(list(course_ids)):
        found = await conn.execute(
            select(_REG.course_id, func.count())
            .where(_REG.course_id.in_(chunk), _REG.status == RegistrationStatus.APPLIED.value)
            .group_by(_REG.course_id)
        )
        counts.update({int(c): int(n) for c, n in found.all()})
    return counts
