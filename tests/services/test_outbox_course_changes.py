"""The outbox rows a changed or cancelled course writes for its registrants."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from courses.schedule import parse_schedule
from courses.schedule.spec import Schedule
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.conftest import fill_asi, form
from tests.services.outbox_rows import (
    ALL_PARTS,
    ASI,
    addressed_to,
    asi_spec,
    calendar_sequence,
    mails_since,
    outbox_mark,
    with_course,
)

# --- importing a changed schedule ----------------------------------------------------------


async def test_a_moved_session_updates_every_active_registrant_and_raises_the_sequence(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    sessions = list(asi_spec(seed_schedule).session)
    sessions[1] = msgspec.structs.replace(sessions[1], date=sessions[1].date.replace(day=16))
    sequence = await calendar_sequence(seeded, ASI)
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, with_course(seed_schedule, ASI, session=sessions))

    written = await mails_since(seeded, mark)
    for receipt in seated:
        assert addressed_to(written, receipt.id) == [
            ("course_changed", p, "REQUEST") for p in ALL_PARTS
        ]
    assert addressed_to(written, waiting.id) == [("course_changed", None, None)]
    assert {m.registration_id for m in written} == {*(r.id for r in seated), waiting.id}
    moved = (
        "Kursdag 2 flyttas: torsdag 15 september 2022 (heldag) → fredag 16 september 2022 (heldag)."
    )
    assert all(m.payload["changes"] == [moved] for m in written)
    # By two: the update must outrank a CANCEL of the state before (sent at sequence + 1).
    assert await calendar_sequence(seeded, ASI) == sequence + 2


async def test_a_cancelled_registration_hears_nothing_about_a_change(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    await cancel_registration(seeded, seated[0].token)
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, with_course(seed_schedule, ASI, title="ASI grund"))

    written = await mails_since(seeded, mark)
    assert seated[0].id not in {m.registration_id for m in written}
    assert {m.registration_id for m in written} == {r.id for r in seated[1:]}


async def test_a_new_title_updates_the_invites_without_bumping_the_sequence(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    sequence = await calendar_sequence(seeded, ASI)
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, with_course(seed_schedule, ASI, title="ASI grundkurs"))

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_changed", p, "REQUEST") for p in ALL_PARTS
    ]
    assert addressed_to(written, waiting.id) == [("course_changed", None, None)]
    assert len(written) == 4 * 4 + 1
    assert await calendar_sequence(seeded, ASI) == sequence


@pytest.mark.parametrize(
    "change",
    [
        {"description": "Grundutbildning i intervjumetoden ASI."},
        {"deadline": date(2022, 9, 5)},
    ],
    ids=["description", "deadline"],
)
async def test_a_change_nobody_needs_to_hear_about_writes_no_mail(
    seeded: ServiceContext, seed_schedule: Schedule, change: dict[str, object]
) -> None:
    await fill_asi(seeded, waiting=1)
    sequence = await calendar_sequence(seeded, ASI)
    mark = await outbox_mark(seeded)

    report = await import_schedule(seeded, with_course(seed_schedule, ASI, **change))

    assert report.changed
    assert await mails_since(seeded, mark) == []
    assert await calendar_sequence(seeded, ASI) == sequence


async def test_a_cancelled_course_cancels_every_invite_of_the_confirmed(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    sequence = await calendar_sequence(seeded, ASI)
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, with_course(seed_schedule, ASI, status="cancelled"))

    written = await mails_since(seeded, mark)
    for receipt in seated:
        assert addressed_to(written, receipt.id) == [
            ("course_cancelled", p, "CANCEL") for p in ALL_PARTS
        ]
    assert addressed_to(written, waiting.id) == [("course_cancelled", None, None)]
    assert all(m.payload["changes"] == ["Kursen är inställd."] for m in written)
    # By two: the update must outrank a CANCEL of the state before (sent at sequence + 1).
    assert await calendar_sequence(seeded, ASI) == sequence + 2


async def test_a_cancelled_course_that_also_drops_a_session_cancels_that_session_too(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    receipt = await register(seeded, ASI, form(1))
    sessions = list(asi_spec(seed_schedule).session)[:3]
    mark = await outbox_mark(seeded)

    await import_schedule(
        seeded, with_course(seed_schedule, ASI, status="cancelled", session=sessions)
    )

    # Every event the registrant's calendar holds must be cancelled, the dropped one included.
    written = await mails_since(seeded, mark)
    assert addressed_to(written, receipt.id) == [
        ("course_cancelled", p, "CANCEL") for p in ALL_PARTS
    ]


async def test_a_removed_session_is_cancelled_in_the_calendar_and_named_in_the_mail(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    sessions = list(asi_spec(seed_schedule).session)[:3]
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, with_course(seed_schedule, ASI, session=sessions))

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_changed", 1, "REQUEST"),
        ("course_changed", 2, "REQUEST"),
        ("course_changed", 3, "REQUEST"),
        ("course_changed", 4, "CANCEL"),
    ]
    assert addressed_to(written, waiting.id) == [("course_changed", None, None)]
    removed = [{"position": 4, "day": "2023-05-04", "start": None, "end": None}]
    assert all(m.payload["removed"] == removed for m in written)


async def test_a_dry_run_import_writes_no_mail(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await fill_asi(seeded, waiting=1)
    sequence = await calendar_sequence(seeded, ASI)
    mark = await outbox_mark(seeded)

    report = await import_schedule(
        seeded, with_course(seed_schedule, ASI, status="cancelled"), dry_run=True
    )

    assert report.changed
    assert await mails_since(seeded, mark) == []
    assert await calendar_sequence(seeded, ASI) == sequence


async def test_importing_the_same_file_again_writes_no_mail(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, seed_schedule)

    assert await mails_since(seeded, mark) == []


TWO_FORMATS = """
[[course]]
slug = "kombinerad-2022"
title = "Motiverande samtal"
deadline = 2022-05-01

[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "https://mote.example/rum-1"

[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"

[[course.session]]
date = 2022-05-10
start = 09:00:00
end = 12:00:00

[[course.session]]
date = 2022-05-11
start = 09:00:00
end = 12:00:00
"""


async def test_a_new_meeting_link_reaches_only_the_digital_formats_registrants(
    seeded: ServiceContext,
) -> None:
    schedule = parse_schedule(TWO_FORMATS)
    await import_schedule(seeded, schedule)
    online = await register(seeded, "kombinerad-2022", form(1, format="digital"))
    on_site = await register(seeded, "kombinerad-2022", form(2, format="vaxjo"))
    (course,) = schedule.course
    digital, vaxjo = course.format
    new_link = msgspec.structs.replace(digital, meeting_url="https://mote.example/rum-2")
    mark = await outbox_mark(seeded)

    await import_schedule(
        seeded, with_course(schedule, "kombinerad-2022", format=[new_link, vaxjo])
    )

    written = await mails_since(seeded, mark)
    assert addressed_to(written, online.id) == [
        ("course_changed", 1, "REQUEST"),
        ("course_changed", 2, "REQUEST"),
    ]
    assert addressed_to(written, on_site.id) == []
    assert written[0].payload["changes"] == [
        "Kursdag 1, möteslänk: https://mote.example/rum-1 → https://mote.example/rum-2",
        "Kursdag 2, möteslänk: https://mote.example/rum-1 → https://mote.example/rum-2",
    ]


async def test_a_moved_session_reaches_both_formats_without_the_meeting_link(
    seeded: ServiceContext,
) -> None:
    schedule = parse_schedule(TWO_FORMATS)
    await import_schedule(seeded, schedule)
    online = await register(seeded, "kombinerad-2022", form(1, format="digital"))
    on_site = await register(seeded, "kombinerad-2022", form(2, format="vaxjo"))
    (course,) = schedule.course
    first, second = course.session
    later = msgspec.structs.replace(second, date=second.date.replace(day=12))
    mark = await outbox_mark(seeded)

    await import_schedule(seeded, with_course(schedule, "kombinerad-2022", session=[first, later]))

    written = await mails_since(seeded, mark)
    assert {m.registration_id for m in written} == {online.id, on_site.id}
    assert all("mote.example" not in line for m in written for line in m.payload["changes"])
