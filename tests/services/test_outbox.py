"""The outbox rows every state change writes, in the transaction of the change.

Read back from the outbox table: which registration hears about what (`kind`), which session's
calendar event a message carries (`part`) and how (`method`), and what the payload adds.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any, NamedTuple

import msgspec
import pytest
from sqlalchemy import func, select

from courses.domain.errors import AlreadyRegistered, CourseFull, RegistrationClosed
from courses.schedule import parse_schedule
from courses.schedule.spec import CourseSpec, Schedule
from courses.services.context import ServiceContext
from courses.services.registration import RegistrationReceipt, cancel_registration, register
from courses.services.reminders import queue_reminders
from courses.services.schedule_import import import_schedule
from courses.services.tokens import token_for
from courses.storage.tables import course_table, outbox_table, registration_table
from tests.conftest import form, local

ASI = "asi-grund-2022"  # four all-day sessions, four seats, a waitlist
ALL_PARTS = [1, 2, 3, 4]


class Mail(NamedTuple):
    registration_id: int
    kind: str
    part: int | None
    method: str | None
    payload: dict[str, Any]


async def outbox_mark(ctx: ServiceContext) -> int:
    """The id of the newest outbox row; rows written later have greater ids."""
    async with ctx.db.read() as conn:
        return int((await conn.execute(select(func.max(outbox_table.c.id)))).scalar() or 0)


async def mails_since(ctx: ServiceContext, mark: int = 0, *, kind: str | None = None) -> list[Mail]:
    out = outbox_table.c
    query = select(out.registration_id, out.kind, out.part, out.method, out.payload).where(
        out.id > mark
    )
    if kind is not None:
        query = query.where(out.kind == kind)
    async with ctx.db.read() as conn:
        rows = await conn.execute(query.order_by(out.id))
        return [Mail(*row) for row in rows.all()]


def addressed_to(
    mails: list[Mail], registration_id: int
) -> list[tuple[str, int | None, str | None]]:
    """(kind, part, method) of one registration's mails."""
    return [(m.kind, m.part, m.method) for m in mails if m.registration_id == registration_id]


async def calendar_sequence(ctx: ServiceContext, slug: str) -> int:
    async with ctx.db.read() as conn:
        found = await conn.execute(
            select(course_table.c.calendar_sequence).where(course_table.c.slug == slug)
        )
        return int(found.scalar_one())


async def fill_asi(
    ctx: ServiceContext, *, waiting: int = 1
) -> tuple[list[RegistrationReceipt], list[RegistrationReceipt]]:
    """Four confirmed registrants and `waiting` on the waitlist."""
    seated = [await register(ctx, ASI, form(n)) for n in range(4)]
    queued = [await register(ctx, ASI, form(f"reserv{n}")) for n in range(waiting)]
    return seated, queued


def with_course(schedule: Schedule, slug: str, **changes: object) -> Schedule:
    """`schedule` with just the course `slug` changed (and only that course in it)."""
    (course,) = [c for c in schedule.course if c.slug == slug]
    return Schedule(course=[msgspec.structs.replace(course, **changes)])


def asi_spec(schedule: Schedule) -> CourseSpec:
    return next(c for c in schedule.course if c.slug == ASI)


# --- registering ---------------------------------------------------------------------------


async def test_a_confirmed_registration_writes_one_invite_request_per_session(
    seeded: ServiceContext,
) -> None:
    receipt = await register(seeded, ASI, form(1))

    written = await mails_since(seeded)
    assert addressed_to(written, receipt.id) == [("confirmed", p, "REQUEST") for p in ALL_PARTS]
    assert {m.registration_id for m in written} == {receipt.id}
    assert all(m.payload["parts"] == ALL_PARTS for m in written)


async def test_a_waitlisted_registration_writes_one_mail_with_its_position_and_no_invite(
    seeded: ServiceContext,
) -> None:
    await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)

    second = await register(seeded, ASI, form("sist"))

    assert await mails_since(seeded, mark) == [
        Mail(second.id, "waitlisted", None, None, {"waitlist_position": 2})
    ]


async def test_a_duplicate_registration_writes_no_confirmation_only_the_manage_link(
    seeded: ServiceContext,
) -> None:
    first = await register(seeded, ASI, form(1))
    mark = await outbox_mark(seeded)

    with pytest.raises(AlreadyRegistered):
        await register(seeded, ASI, form(1, name="Samma person igen"))

    assert await mails_since(seeded, mark) == [Mail(first.id, "already_registered", None, None, {})]


COURSE_WITHOUT_WAITLIST = """
[[course]]
slug = "litet-seminarium"
title = "Litet seminarium"
deadline = 2022-05-01
opens = 2022-04-01
seats = 1
waitlist = false
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
seats = 1
[[course.session]]
date = 2022-05-10
"""


async def test_a_full_course_without_waitlist_writes_nothing_for_the_refused(
    seeded: ServiceContext,
) -> None:
    await import_schedule(seeded, parse_schedule(COURSE_WITHOUT_WAITLIST))
    seeded.clock.set(local(2022, 4, 2, 9, 0))  # type: ignore[attr-defined]
    taken = await register(seeded, "litet-seminarium", form(1))
    mark = await outbox_mark(seeded)

    with pytest.raises(CourseFull):
        await register(seeded, "litet-seminarium", form(2))

    assert await mails_since(seeded, mark) == []
    assert [m.registration_id for m in await mails_since(seeded)] == [taken.id]


async def test_a_registration_after_the_deadline_writes_nothing(seeded: ServiceContext) -> None:
    seeded.clock.set(local(2022, 9, 2, 0, 0))  # type: ignore[attr-defined]

    with pytest.raises(RegistrationClosed):
        await register(seeded, ASI, form(1))

    assert await mails_since(seeded) == []


async def test_twenty_simultaneous_duplicates_resend_the_manage_link_once(
    seeded: ServiceContext,
) -> None:
    first = await register(seeded, ASI, form(1))
    mark = await outbox_mark(seeded)

    outcomes = await asyncio.gather(
        *(register(seeded, ASI, form(1)) for _ in range(20)), return_exceptions=True
    )

    assert all(isinstance(outcome, AlreadyRegistered) for outcome in outcomes)
    assert await mails_since(seeded, mark) == [Mail(first.id, "already_registered", None, None, {})]


async def test_the_manage_link_is_resent_again_only_after_an_hour(seeded: ServiceContext) -> None:
    first = await register(seeded, ASI, form(1))
    with pytest.raises(AlreadyRegistered):
        await register(seeded, ASI, form(1))
    seeded.clock.set(local(2022, 3, 1, 10, 59))  # type: ignore[attr-defined]
    with pytest.raises(AlreadyRegistered):
        await register(seeded, ASI, form(1))
    within_the_hour = len(await mails_since(seeded, kind="already_registered"))

    seeded.clock.set(local(2022, 3, 1, 11, 1))  # type: ignore[attr-defined]
    attempts = await asyncio.gather(
        *(register(seeded, ASI, form(1)) for _ in range(20)), return_exceptions=True
    )

    assert within_the_hour == 1
    assert all(isinstance(outcome, AlreadyRegistered) for outcome in attempts)
    resent = await mails_since(seeded, kind="already_registered")
    assert [m.registration_id for m in resent] == [first.id, first.id]


# --- cancelling ----------------------------------------------------------------------------


async def test_cancelling_a_confirmed_seat_cancels_every_invite_and_invites_the_promoted(
    seeded: ServiceContext,
) -> None:
    seated, (first, second) = await fill_asi(seeded, waiting=2)
    mark = await outbox_mark(seeded)

    await cancel_registration(seeded, seated[0].token)

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [("cancelled", p, "CANCEL") for p in ALL_PARTS]
    assert addressed_to(written, first.id) == [("promoted", p, "REQUEST") for p in ALL_PARTS]
    assert {m.registration_id for m in written} == {seated[0].id, first.id}
    assert second.id not in {m.registration_id for m in written}


async def test_cancelling_from_the_waitlist_writes_one_mail_without_invite(
    seeded: ServiceContext,
) -> None:
    _, (waiting,) = await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)

    await cancel_registration(seeded, waiting.token)

    assert await mails_since(seeded, mark) == [Mail(waiting.id, "cancelled", None, None, {})]


async def test_cancelling_without_anyone_waiting_promotes_nobody(seeded: ServiceContext) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    mark = await outbox_mark(seeded)

    await cancel_registration(seeded, seated[1].token)

    written = await mails_since(seeded, mark)
    assert {m.kind for m in written} == {"cancelled"}
    assert {m.registration_id for m in written} == {seated[1].id}


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


# --- reminders -----------------------------------------------------------------------------


async def test_no_reminder_before_three_days_before_the_first_session(
    seeded: ServiceContext,
) -> None:
    await fill_asi(seeded, waiting=0)
    seeded.clock.set(local(2022, 9, 10, 23, 59))  # type: ignore[attr-defined]

    queued = await queue_reminders(seeded)

    assert queued == 0
    assert await mails_since(seeded, kind="reminder") == []


async def test_each_confirmed_registrant_gets_one_reminder_three_days_before(
    seeded: ServiceContext,
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    seeded.clock.set(local(2022, 9, 11, 0, 0))  # type: ignore[attr-defined]

    queued = await queue_reminders(seeded)

    assert queued == 4
    assert await mails_since(seeded, kind="reminder") == [
        Mail(r.id, "reminder", None, None, {}) for r in seated
    ]


async def test_a_reminder_is_never_queued_twice(seeded: ServiceContext) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    seeded.clock.set(local(2022, 9, 11, 8, 0))  # type: ignore[attr-defined]
    await queue_reminders(seeded)

    seeded.clock.set(local(2022, 9, 12, 8, 0))  # type: ignore[attr-defined]
    again = await queue_reminders(seeded)
    and_again = await queue_reminders(seeded)

    assert (again, and_again) == (0, 0)
    reminded = [m.registration_id for m in await mails_since(seeded, kind="reminder")]
    assert sorted(reminded) == sorted(r.id for r in seated)


async def test_no_reminder_for_the_waitlisted_or_the_cancelled(seeded: ServiceContext) -> None:
    seated, (promoted, waiting) = await fill_asi(seeded, waiting=2)
    await cancel_registration(seeded, seated[0].token)
    seeded.clock.set(local(2022, 9, 11, 8, 0))  # type: ignore[attr-defined]

    await queue_reminders(seeded)

    reminded = {m.registration_id for m in await mails_since(seeded, kind="reminder")}
    assert reminded == {*(r.id for r in seated[1:]), promoted.id}
    assert waiting.id not in reminded
    assert seated[0].id not in reminded


async def test_no_reminder_for_someone_confirmed_after_the_reminder_time(
    seeded: ServiceContext,
) -> None:
    seated, (late,) = await fill_asi(seeded, waiting=1)
    seeded.clock.set(local(2022, 9, 12, 8, 0))  # type: ignore[attr-defined]
    await cancel_registration(seeded, seated[0].token)  # promotes `late` now

    await queue_reminders(seeded)

    reminded = {m.registration_id for m in await mails_since(seeded, kind="reminder")}
    assert reminded == {r.id for r in seated[1:]}
    assert late.id not in reminded


async def test_no_reminder_once_the_course_has_begun(seeded: ServiceContext) -> None:
    await fill_asi(seeded, waiting=0)
    seeded.clock.set(local(2022, 9, 14, 0, 0))  # type: ignore[attr-defined]

    assert await queue_reminders(seeded) == 0
    assert await mails_since(seeded, kind="reminder") == []


async def test_no_reminder_for_a_cancelled_course(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await fill_asi(seeded, waiting=0)
    await import_schedule(seeded, with_course(seed_schedule, ASI, status="cancelled"))
    seeded.clock.set(local(2022, 9, 11, 8, 0))  # type: ignore[attr-defined]

    assert await queue_reminders(seeded) == 0
    assert await mails_since(seeded, kind="reminder") == []


async def test_reminder_days_set_to_zero_turns_reminders_off(seeded: ServiceContext) -> None:
    await fill_asi(seeded, waiting=0)
    seeded.clock.set(local(2022, 9, 13, 8, 0))  # type: ignore[attr-defined]
    settings = dataclasses.replace(seeded.settings, reminder_days=0)
    without = ServiceContext(db=seeded.db, clock=seeded.clock, settings=settings)

    assert await queue_reminders(without) == 0
    assert await mails_since(seeded, kind="reminder") == []


async def test_reminder_days_set_the_reminder_time(seeded: ServiceContext) -> None:
    await fill_asi(seeded, waiting=0)
    settings = dataclasses.replace(seeded.settings, reminder_days=7)
    week_ahead = ServiceContext(db=seeded.db, clock=seeded.clock, settings=settings)
    seeded.clock.set(local(2022, 9, 6, 23, 59))  # type: ignore[attr-defined]
    too_early = await queue_reminders(week_ahead)

    seeded.clock.set(local(2022, 9, 7, 0, 0))  # type: ignore[attr-defined]
    on_time = await queue_reminders(week_ahead)

    assert (too_early, on_time) == (0, 4)


# --- the manage link -----------------------------------------------------------------------


async def test_the_manage_token_is_derived_from_the_stored_nonce_and_never_stored(
    seeded: ServiceContext,
) -> None:
    receipt = await register(seeded, ASI, form(1))

    async with seeded.db.read() as conn:
        row = (
            await conn.execute(
                select(registration_table).where(registration_table.c.id == receipt.id)
            )
        ).one()
        outbox_rows = (await conn.execute(select(outbox_table))).all()

    token = receipt.manage_url.rsplit("/", 1)[-1]
    assert token_for(seeded.settings.secret_key, row.token_nonce) == token
    stored = [str(value) for value in (*row, *(v for r in outbox_rows for v in r))]
    assert not any(token in value for value in stored)
