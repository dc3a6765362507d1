"""The reminder before a course's first session: queued once, for the confirmed only."""

from __future__ import annotations

import dataclasses

from courses.schedule.spec import Schedule
from courses.services.context import ServiceContext
from courses.services.outbox.reminders import queue_reminders
from courses.services.registration.cancellation import cancel_registration
from courses.services.schedule.importing import import_schedule
from tests.conftest import fill_asi, local
from tests.services.outbox_rows import (
    ASI,
    Mail,
    mails_since,
    with_course,
)

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
