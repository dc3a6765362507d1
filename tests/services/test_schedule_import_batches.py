"""Importing many courses at once: every course is read up front and written in batches, and
each one still ends up as the file says, reported and announced on its own."""

from __future__ import annotations

from datetime import time, timedelta

import msgspec
import pytest
from sqlalchemy import select

from courses.schedule import ScheduleError, parse_schedule
from courses.schedule.spec import CourseSpec, Schedule
from courses.services.catalogue.listing import get_course, list_courses
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import Action, import_schedule
from courses.storage import schedule_sync
from courses.storage.tables import course_table
from tests.conftest import form
from tests.services.outbox_rows import addressed_to, mails_since, outbox_mark

ASI = "asi-grund-2022"
LVM = "lvm-forelasning-2022"
HAP = "hap-2022"
ATERFALL = "aterfallsprevention-2022"

REFUSED = "det kan inte tas bort."
NEW_COURSE = """
[[course]]
slug = "ny-kurs-2022"
title = "Ny kurs"
deadline = 2022-06-01
[[course.format]]
key = "digital"
kind = "digital"
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-06-10
[[course.session]]
date = 2022-06-11
start = 09:00:00
end = 12:00:00
"""


def changed(schedule: Schedule, wanted: dict[str, dict[str, object]]) -> Schedule:
    """The seed courses, with those in `wanted` changed (`{ASI: {"title": ...}}`)."""
    return Schedule(
        course=[msgspec.structs.replace(c, **wanted.get(c.slug, {})) for c in schedule.course]
    )


def spec(schedule: Schedule, slug: str) -> CourseSpec:
    return next(c for c in schedule.course if c.slug == slug)


async def revisions(ctx: ServiceContext) -> dict[str, tuple[int, object]]:
    """Per slug: the revision and when the row was last written."""
    c = course_table.c
    async with ctx.db.read() as conn:
        found = await conn.execute(select(c.slug, c.revision, c.updated_at))
        return {slug: (revision, updated) for slug, revision, updated in found.all()}


async def test_one_file_creates_changes_and_leaves_courses_and_reports_each_in_file_order(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    before = await revisions(seeded)
    lvm_day = spec(seed_schedule, LVM).session[0]
    hap = spec(seed_schedule, HAP)
    later = msgspec.structs.replace(lvm_day, date=lvm_day.date.replace(day=30))
    schedule = changed(
        seed_schedule,
        {
            ASI: {"title": "ASI grundutbildning, vår"},
            HAP: {"format": [f for f in hap.format if f.key == "digital"]},
            LVM: {"session": [lvm_day, later]},
        },
    )
    schedule = Schedule(course=[*schedule.course, *parse_schedule(NEW_COURSE).course])
    seeded.clock.set(seeded.clock.now() + timedelta(hours=1))  # type: ignore[attr-defined]

    report = await import_schedule(seeded, schedule)

    assert [(i.key, i.action, i.changes) for i in report.items] == [
        (LVM, Action.CHANGED, ["ny kursdag 2: 2022-03-30"]),
        (ATERFALL, Action.UNCHANGED, []),
        ("asi-metodstod-2022", Action.UNCHANGED, []),
        (ASI, Action.CHANGED, ["titel: ASI grundutbildning → ASI grundutbildning, vår"]),
        (HAP, Action.CHANGED, ["format ljungby borttaget"]),
        ("ny-kurs-2022", Action.CREATED, []),
    ]
    after = await revisions(seeded)
    assert {slug for slug in before if after[slug] != before[slug]} == {LVM, ASI, HAP}
    assert all(after[slug][0] == before[slug][0] + 1 for slug in (LVM, ASI, HAP))
    new = (await get_course(seeded, "ny-kurs-2022")).course
    assert [f.key for f in new.formats] == ["digital", "vaxjo"]
    assert [(s.day.day, s.start_time) for s in new.sessions] == [(10, None), (11, time(9))]
    assert [s.day.day for s in (await get_course(seeded, LVM)).course.sessions] == [29, 30]
    assert [f.key for f in (await get_course(seeded, HAP)).course.formats] == ["digital"]
    # What was written is exactly what the file says: importing it again changes nothing.
    again = await import_schedule(seeded, schedule)
    assert {i.action for i in again.items} == {Action.UNCHANGED}


async def test_every_changed_course_tells_its_own_registrants(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    on_asi = await register(seeded, ASI, form(1))
    on_lvm = await register(seeded, LVM, form(2))
    on_aterfall = await register(seeded, ATERFALL, form(3, format="ljungby"))
    lvm_day = spec(seed_schedule, LVM).session[0]
    moved = msgspec.structs.replace(lvm_day, start=time(13), end=time(15))
    mark = await outbox_mark(seeded)

    report = await import_schedule(
        seeded,
        changed(seed_schedule, {ASI: {"title": "ASI grund"}, LVM: {"session": [moved]}}),
    )

    written = await mails_since(seeded, mark)
    assert report.notified == 2
    assert {m.registration_id for m in written} == {on_asi.id, on_lvm.id}
    assert addressed_to(written, on_aterfall.id) == []
    (asi_mail, *_) = [m for m in written if m.registration_id == on_asi.id]
    assert asi_mail.payload["changes"] == [
        "Kursen heter nu ASI grund (tidigare ASI grundutbildning)."
    ]
    (lvm_mail,) = [m for m in written if m.registration_id == on_lvm.id]
    assert lvm_mail.payload["changes"] == [
        "Kursdag 1 flyttas: tisdag 29 mars 2022 (heldag) → tisdag 29 mars 2022 kl. 13.00–15.00."
    ]


async def test_formats_in_use_are_refused_for_every_course_in_file_order(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await register(seeded, HAP, form(1, format="ljungby"))
    await register(seeded, ATERFALL, form(2, format="ljungby"))
    await register(seeded, ATERFALL, form(3, format="ljungby"))
    wanted: dict[str, dict[str, object]] = {
        slug: {"format": [f for f in spec(seed_schedule, slug).format if f.key == "digital"]}
        for slug in (HAP, ATERFALL)
    }
    schedule = changed(seed_schedule, {**wanted, ASI: {"title": "Ändrad titel"}})

    with pytest.raises(ScheduleError) as refused:
        await import_schedule(seeded, schedule)

    assert [(p.place, p.message) for p in refused.value.problems] == [
        (
            f"course[2] ({ATERFALL}).format",
            f"Formatet 'ljungby' saknas i filen men har 2 aktiva anmälningar; {REFUSED}",
        ),
        (
            f"course[5] ({HAP}).format",
            f"Formatet 'ljungby' saknas i filen men har 1 aktiva anmälningar; {REFUSED}",
        ),
    ]
    assert (await get_course(seeded, ASI)).course.title == "ASI grundutbildning"


async def test_a_dry_run_creates_and_changes_nothing(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    before = await list_courses(seeded)
    schedule = changed(seed_schedule, {ASI: {"seats": 6}})
    schedule = Schedule(course=[*schedule.course, *parse_schedule(NEW_COURSE).course])

    report = await import_schedule(seeded, schedule, dry_run=True)

    assert [(i.key, i.action) for i in report.items if i.action is not Action.UNCHANGED] == [
        (ASI, Action.CHANGED),
        ("ny-kurs-2022", Action.CREATED),
    ]
    assert await list_courses(seeded) == before


async def test_courses_beyond_the_first_read_are_found(
    seeded: ServiceContext, seed_schedule: Schedule, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two slugs per IN list: the five seed courses take three reads of each kind.
    monkeypatch.setattr(schedule_sync, "_CHUNK", 2)
    await register(seeded, HAP, form(1, format="ljungby"))
    hap_digital = [f for f in spec(seed_schedule, HAP).format if f.key == "digital"]

    unchanged = await import_schedule(seeded, seed_schedule)
    with pytest.raises(ScheduleError) as refused:
        await import_schedule(seeded, changed(seed_schedule, {HAP: {"format": hap_digital}}))
    retitled = await import_schedule(seeded, changed(seed_schedule, {HAP: {"title": "HAP 2"}}))

    assert {i.action for i in unchanged.items} == {Action.UNCHANGED}
    assert [p.place for p in refused.value.problems] == [f"course[5] ({HAP}).format"]
    assert [(i.key, i.action) for i in retitled.items if i.action is Action.CHANGED] == [
        (HAP, Action.CHANGED)
    ]
