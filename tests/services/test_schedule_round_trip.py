"""The schedule file round-trips: what is exported imports back with nothing changed, and parses
to the same schedule as is stored (a property, over generated schedules, on both databases)."""

from __future__ import annotations

import asyncio
import itertools
import shutil
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, note, settings
from sqlalchemy import text

from courses.clock import FixedClock
from courses.schedule import Schedule, load_schedule, parse_schedule
from courses.schedule.dump import dump_schedule
from courses.schedule.lottery import draw_day
from courses.schedule.spec import CourseSpec, EmployerSpec
from courses.services.context import ServiceContext
from courses.services.schedule.course_edits import cancel_session
from courses.services.schedule.export import export_schedule, stored_schedule
from courses.services.schedule.files import import_uploaded_schedule
from courses.services.schedule.importing import Action, ImportReport, import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.tables import metadata
from tests.conftest import BACKENDS, SEEDS, local
from tests.schedule.schedules import schedules
from tests.services.admin_support import admin_of

_examples = itertools.count()


def unchanged(report: ImportReport) -> list[tuple[str, str, list[str]]]:
    """The items the report does not call unchanged (none, for a no-op import)."""
    return [(i.kind, i.key, i.changes) for i in report.items if i.action is not Action.UNCHANGED]


def as_stored(spec: Schedule) -> Schedule:
    """What an import of `spec` stores, as the export writes it: the manager's days and the
    draw day spelled out, domains in lower case."""

    def course(c: CourseSpec) -> CourseSpec:
        return msgspec.structs.replace(c, approval_days=c.answer_days, draw=draw_day(c))

    def employer(e: EmployerSpec) -> EmployerSpec:
        return msgspec.structs.replace(e, domains=[d.lower() for d in e.domains])

    return Schedule(
        employer=[employer(e) for e in spec.employer], course=[course(c) for c in spec.course]
    )


async def _round_trip(ctx: ServiceContext, generated: Schedule) -> None:
    first = await import_schedule(ctx, generated)
    assert not any(i.action is Action.UNCHANGED for i in first.items if i.kind != "organizer")
    admin = await admin_of(ctx, _organizer_key(first))

    exported = await export_schedule(ctx, admin)
    note(exported.text)
    again = await import_uploaded_schedule(ctx, admin, exported.text)

    assert unchanged(again) == []
    parsed = parse_schedule(exported.text)
    assert parsed == await stored_schedule(ctx, admin)
    wanted = as_stored(generated)
    assert [e for e in parsed.employer if e.key in {w.key for w in wanted.employer}] == (
        sorted(wanted.employer, key=lambda e: e.key)
    )
    slugs = {c.slug for c in wanted.course}
    assert sorted((c for c in parsed.course if c.slug in slugs), key=lambda c: c.slug) == sorted(
        wanted.course, key=lambda c: c.slug
    )


def _organizer_key(report: ImportReport) -> str:
    return next(i.key for i in report.items if i.kind == "organizer")


@settings(max_examples=200, deadline=None)
@given(schedules())
def test_a_schedule_written_out_parses_back_to_itself(schedule: Schedule) -> None:
    text = dump_schedule(schedule, heading="rubrik\nandra raden")

    assert parse_schedule(text) == schedule


@pytest.mark.parametrize("backend", BACKENDS)
def test_export_then_import_changes_nothing(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    clock = FixedClock(local(2022, 3, 1, 10, 0))
    source = request.getfixturevalue(
        "sqlite_template" if backend == "sqlite" else "postgres_database"
    )

    async def fresh_database() -> Database:
        if backend == "sqlite":
            path = tmp_path / f"example-{next(_examples)}.db"
            shutil.copy(source, path)
            return Database.from_url(f"sqlite:///{path}")
        db = Database.from_url(str(source))
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return db

    async def example(generated: Schedule) -> None:
        db = await fresh_database()
        try:
            settings_ = Settings(database_url="sqlite://", base_url="http://kurser.test")
            await _round_trip(ServiceContext(db=db, clock=clock, settings=settings_), generated)
        finally:
            await db.dispose()

    @settings(max_examples=25, deadline=None)
    @given(schedules())
    def check(generated: Schedule) -> None:
        asyncio.run(example(generated))

    check()


async def test_the_seeds_round_trip(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    exported = await export_schedule(seeded, admin)
    again = await import_uploaded_schedule(seeded, admin, exported.text)

    assert unchanged(again) == []
    assert exported.filename == "schema-kronoberg-beroende.toml"
    assert exported.text.startswith("# Schemafil för ")
    parsed = parse_schedule(exported.text)
    assert parsed == await stored_schedule(seeded, admin)
    assert len(parsed.course) == len(load_schedule(SEEDS / "schedule-2022.toml").course)


async def test_an_edited_export_imports_its_change(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    exported = await export_schedule(seeded, admin)
    edited = exported.text.replace('title = "ASI grundutbildning"', 'title = "ASI grund"', 1)
    assert edited != exported.text

    report = await import_uploaded_schedule(seeded, admin, edited)

    assert [(kind, key) for kind, key, _ in unchanged(report)] == [("course", "asi-grund-2022")]


async def test_a_course_that_offers_freed_seats_round_trips(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    exported = await export_schedule(seeded, admin)
    asi = next(c for c in parse_schedule(exported.text).course if c.slug == "asi-grund-2022")
    await import_schedule(
        seeded,
        Schedule(course=[msgspec.structs.replace(asi, offer_hours=36, offer_until_hours=6)]),
    )

    again = await export_schedule(seeded, admin)
    report = await import_uploaded_schedule(seeded, admin, again.text)

    assert unchanged(report) == []
    stored = next(c for c in parse_schedule(again.text).course if c.slug == "asi-grund-2022")
    assert (stored.offer_hours, stored.offer_until_hours) == (36, 6)
    assert "offer_hours = 36" in again.text


async def test_a_course_with_a_cancelled_session_round_trips(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await cancel_session(seeded, admin, "asi-grund-2022", 2)  # positions 1, 3, 4 are left

    exported = await export_schedule(seeded, admin)
    again = await import_uploaded_schedule(seeded, admin, exported.text)

    assert unchanged(again) == []
    asi = next(c for c in parse_schedule(exported.text).course if c.slug == "asi-grund-2022")
    assert len(asi.session) == 3


async def test_a_session_added_after_a_gap_takes_the_next_position(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await cancel_session(seeded, admin, "asi-grund-2022", 2)
    exported = await export_schedule(seeded, admin)
    asi = next(c for c in parse_schedule(exported.text).course if c.slug == "asi-grund-2022")
    extra = msgspec.structs.replace(asi.session[-1], date=asi.session[-1].date.replace(day=28))
    edited = msgspec.structs.replace(asi, session=[*asi.session, extra])

    report = await import_schedule(seeded, Schedule(course=[edited]))

    (item,) = report.items
    assert item.changes == [f"ny kursdag 5: {extra.date}"]
