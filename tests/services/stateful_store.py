"""What the database holds, read with direct SELECTs, and a fresh database for each example."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from sqlalchemy import select, text

from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.tables import course_table, format_table, metadata, registration_table
from tests.services.stateful_model import CONFIRMED, WAITLISTED
from tests.services.stateful_world import SCHEDULE, START


class StoredRegistration(NamedTuple):
    id: int
    course: str
    format: str | None
    email: str
    status: str
    queue_no: int


class StoredSeats(NamedTuple):
    seats: int | None
    confirmed_count: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    registrations: list[StoredRegistration]  # by course, in queue order
    courses: dict[str, StoredSeats]
    formats: dict[tuple[str, str], StoredSeats]

    def confirmed(self, course: str, fmt: str | None = None) -> int:
        return sum(
            1
            for r in self.registrations
            if r.course == course and r.status == CONFIRMED and fmt in (None, r.format)
        )

    def has_room(self, course: str, fmt: str) -> bool:
        course_seats, fmt_seats = self.courses[course], self.formats[(course, fmt)]
        return (course_seats.seats is None or self.confirmed(course) < course_seats.seats) and (
            fmt_seats.seats is None or self.confirmed(course, fmt) < fmt_seats.seats
        )

    def waiting(self, course: str) -> list[StoredRegistration]:
        return [r for r in self.registrations if r.course == course and r.status == WAITLISTED]


async def read_snapshot(db: Database) -> Snapshot:
    reg, course, fmt = registration_table.c, course_table.c, format_table.c
    async with db.read() as conn:
        registrations = await conn.execute(
            select(reg.id, course.slug, fmt.key, reg.email, reg.status, reg.queue_no)
            .join(course_table, course.id == reg.course_id)
            .outerjoin(format_table, fmt.id == reg.format_id)
            .order_by(course.slug, reg.queue_no, reg.id)
        )
        courses = await conn.execute(select(course.slug, course.seats, course.confirmed_count))
        formats = await conn.execute(
            select(course.slug, fmt.key, fmt.seats, fmt.confirmed_count).join(
                course_table, course.id == fmt.course_id
            )
        )
        return Snapshot(
            registrations=[StoredRegistration(*row) for row in registrations],
            courses={slug: StoredSeats(seats, n) for slug, seats, n in courses},
            formats={(slug, key): StoredSeats(seats, n) for slug, key, seats, n in formats},
        )


# --- A fresh database for each example -------------------------------------------------------


async def import_world(db: Database) -> Database:
    ctx = ServiceContext(db=db, clock=FixedClock(START), settings=Settings())
    await import_schedule(ctx, SCHEDULE)
    return db


class FreshDatabases(Protocol):
    async def open(self) -> Database:
        """A database that holds the world (the seeded employers and three courses) only."""
        ...


@dataclass(slots=True)
class SqliteDatabases:
    """A copy of a file with the world imported, made once from the migrated template."""

    template: Path
    folder: Path
    world: Path | None = None

    async def open(self) -> Database:
        if self.world is None:
            self.world = self.folder / "world.db"
            shutil.copy(self.template, self.world)
            await (await import_world(Database.from_url(f"sqlite:///{self.world}"))).dispose()
        path = self.folder / "example.db"
        for leftover in (path, path.with_name("example.db-wal"), path.with_name("example.db-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy(self.world, path)
        return Database.from_url(f"sqlite:///{path}")


@dataclass(slots=True)
class PostgresDatabases:
    """The session's migrated database, emptied and given the world again."""

    url: str

    async def open(self) -> Database:
        db = Database.from_url(self.url)
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return await import_world(db)
