"""The lottery: applications before the draw, the draw once, first come after it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import update

from courses.clock import FixedClock
from courses.domain.errors import AlreadyRegistered, CourseNotFound
from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.lottery.draw import NotALottery, draw, run_due_draws, verify_draw
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.storage import lottery as lottery_storage
from courses.storage.courses import load_course
from courses.storage.tables import course_table
from tests.conftest import local
from tests.services.lottery_support import (
    EMPLOYERS,
    SLUG,
    add_lottery,
    apply,
    apply_many,
    draw_entries,
    statuses,
)
from tests.services.outbox_rows import mails_since, outbox_mark

CLI = Actor.command_line()


@pytest.fixture
async def lottery_ctx(seeded: ServiceContext) -> ServiceContext:
    await add_lottery(seeded)
    return seeded


async def test_registering_before_the_draw_is_an_application_without_a_seat(
    lottery_ctx: ServiceContext,
) -> None:
    mark = await outbox_mark(lottery_ctx)
    receipt = await apply(lottery_ctx, 1, "vaxjo", "digital")
    assert receipt.status is RegistrationStatus.APPLIED
    assert receipt.waitlist_position is None
    async with lottery_ctx.db.read() as conn:
        course = await load_course(conn, SLUG)
    assert course is not None
    assert course.confirmed_count == 0
    assert course.draw_on == date(2022, 4, 2)  # the day after the deadline
    mails = await mails_since(lottery_ctx, mark)
    assert [(m.registration_id, m.kind, m.payload) for m in mails] == [
        (receipt.id, "applied", {"draw_on": "2022-04-02"})
    ]
    details = await get_registration(lottery_ctx, receipt.token)
    assert details.status is RegistrationStatus.APPLIED


async def test_one_application_per_person(lottery_ctx: ServiceContext) -> None:
    await apply(lottery_ctx, 1, "vaxjo", "digital")
    with pytest.raises(AlreadyRegistered):
        await apply(lottery_ctx, 1, "vaxjo", "vaxjo")


async def test_an_application_can_be_withdrawn_and_is_not_drawn(
    lottery_ctx: ServiceContext,
) -> None:
    first = await apply(lottery_ctx, 1, "vaxjo", "digital")
    second = await apply(lottery_ctx, 2, "alvesta", "digital")
    await cancel_registration(lottery_ctx, first.token)
    outcome = await draw(lottery_ctx, SLUG, actor=CLI, seed=1)
    assert outcome.applications == 1
    found = await statuses(lottery_ctx)
    assert found[first.id] == "cancelled"
    assert found[second.id] == "confirmed"


async def test_the_draw_seats_the_drawn_and_waitlists_the_rest_in_drawn_order(
    lottery_ctx: ServiceContext,
) -> None:
    receipts = await apply_many(lottery_ctx, 12)
    mark = await outbox_mark(lottery_ctx)
    outcome = await draw(lottery_ctx, SLUG, actor=CLI, seed=42)
    assert (outcome.drawn_now, outcome.applications, outcome.seated, outcome.waitlisted) == (
        True,
        12,
        3,
        9,
    )
    found = await statuses(lottery_ctx)
    assert Counter(found[r.id] for r in receipts) == {"confirmed": 3, "waitlisted": 9}
    async with lottery_ctx.db.read() as conn:
        course = await load_course(conn, SLUG)
    assert course is not None
    assert course.confirmed_count == 3
    assert course.format_by_key("digital").confirmed_count <= 2
    mails = await mails_since(lottery_ctx, mark)
    by_registration: dict[int, list[tuple[str, int | None]]] = {}
    for m in mails:
        by_registration.setdefault(m.registration_id, []).append((m.kind, m.part))
    assert set(by_registration) == {r.id for r in receipts}
    for r in receipts:
        if found[r.id] == "confirmed":
            assert by_registration[r.id] == [("confirmed", 1), ("confirmed", 2)]
        else:
            assert [k for k, _ in by_registration[r.id]] == ["waitlisted"]
    positions = sorted(m.payload["waitlist_position"] for m in mails if m.kind == "waitlisted")
    assert positions == list(range(1, 10))
    # Three seats, five employers: three different employers got them.
    employers = Counter(
        EMPLOYERS[n % 5] for n, r in enumerate(receipts, start=1) if found[r.id] == "confirmed"
    )
    assert max(employers.values()) == 1


async def test_a_second_draw_says_it_was_drawn_already(lottery_ctx: ServiceContext) -> None:
    await apply_many(lottery_ctx, 4)
    first = await draw(lottery_ctx, SLUG, actor=CLI, seed=5)
    mark = await outbox_mark(lottery_ctx)
    again = await draw(lottery_ctx, SLUG, actor=CLI, seed=6)
    assert not again.drawn_now
    assert (again.seed, again.drawn_at) == (first.seed, first.drawn_at)
    assert await mails_since(lottery_ctx, mark) == []
    assert await draw_entries(lottery_ctx) == 1


async def test_after_the_draw_registering_is_first_come(lottery_ctx: ServiceContext) -> None:
    await apply_many(lottery_ctx, 2)
    await draw(lottery_ctx, SLUG, actor=CLI, seed=3)
    late = await apply(lottery_ctx, 50, "vaxjo", "vaxjo")
    assert late.status is RegistrationStatus.CONFIRMED  # the third seat was left
    later = await apply(lottery_ctx, 51, "alvesta", "vaxjo")
    assert later.status is RegistrationStatus.WAITLISTED
    assert later.waitlist_position == 1


async def test_an_early_draw_before_the_draw_day(
    lottery_ctx: ServiceContext, clock: FixedClock
) -> None:
    await apply_many(lottery_ctx, 5)
    # 1 March: a month before the deadline; the admin draws now.
    assert await run_due_draws(lottery_ctx) == []
    outcome = await draw(lottery_ctx, SLUG, actor=CLI)
    assert outcome.drawn_now
    assert outcome.seated == 3
    assert (await apply(lottery_ctx, 60, "vaxjo", "vaxjo")).status is RegistrationStatus.WAITLISTED
    clock.set(local(2022, 4, 2, 0, 0))
    assert await run_due_draws(lottery_ctx) == []  # drawn already


async def test_the_worker_draws_at_the_start_of_the_draw_day(
    lottery_ctx: ServiceContext, clock: FixedClock
) -> None:
    await apply_many(lottery_ctx, 4)
    clock.set(local(2022, 4, 1, 23, 59))
    assert await run_due_draws(lottery_ctx) == []
    clock.set(local(2022, 4, 2, 0, 0))
    done = await run_due_draws(lottery_ctx)
    assert [(d.slug, d.seated, d.waitlisted) for d in done] == [(SLUG, 3, 1)]


async def test_the_draw_can_be_re_derived_from_its_audit_entry(
    lottery_ctx: ServiceContext,
) -> None:
    await apply_many(lottery_ctx, 9)
    await draw(lottery_ctx, SLUG, actor=CLI)
    checked = await verify_draw(lottery_ctx, SLUG, actor=CLI)
    assert checked.ok, checked.problems
    assert (checked.applications, checked.seated) == (9, 3)
    # A tampered record no longer draws the same.
    async with lottery_ctx.db.write() as conn:
        await conn.execute(update(course_table).values(draw_seed=checked.seed + 1))
    tampered = await verify_draw(lottery_ctx, SLUG, actor=CLI)
    assert not tampered.ok
    assert any("Fröet" in p for p in tampered.problems)


async def test_verifying_an_undrawn_course_is_refused(lottery_ctx: ServiceContext) -> None:
    with pytest.raises(NotALottery):
        await verify_draw(lottery_ctx, SLUG, actor=CLI)


async def test_drawing_a_first_come_course_is_refused(seeded: ServiceContext) -> None:
    with pytest.raises(NotALottery):
        await draw(seeded, "asi-grund-2022", actor=CLI)
    with pytest.raises(CourseNotFound):
        await draw(seeded, "finns-inte", actor=CLI)


async def test_another_organizers_admin_cannot_draw(lottery_ctx: ServiceContext) -> None:
    with pytest.raises(CourseNotFound):
        await draw(lottery_ctx, SLUG, actor=Actor(label="x", admin_of=frozenset({999})))


async def _race(contexts: list[ServiceContext]) -> list[bool]:
    outcomes = await asyncio.gather(
        *(draw(c, SLUG, actor=CLI, seed=n) for n, c in enumerate(contexts))
    )
    return [o.drawn_now for o in outcomes]


@pytest.fixture
async def racers(lottery_ctx: ServiceContext) -> list[ServiceContext]:
    """Four workers of their own (each its own engine), as several processes would be."""
    from courses.storage.db import Database

    contexts = [
        ServiceContext(
            db=Database.from_url(lottery_ctx.settings.database_url),
            clock=lottery_ctx.clock,
            settings=lottery_ctx.settings,
        )
        for _ in range(4)
    ]
    yield contexts  # type: ignore[misc]
    for c in contexts:
        await c.db.dispose()


async def test_workers_racing_to_draw_one_course_draw_it_once(
    lottery_ctx: ServiceContext, racers: list[ServiceContext]
) -> None:
    receipts = await apply_many(lottery_ctx, 20)
    mark = await outbox_mark(lottery_ctx)
    assert sorted(await _race(racers)) == [False, False, False, True]
    assert await draw_entries(lottery_ctx) == 1
    mails = await mails_since(lottery_ctx, mark)
    notices = Counter(m.registration_id for m in mails if m.part in (None, 1))
    assert notices == {r.id: 1 for r in receipts}


async def test_without_the_guard_the_race_draws_twice(
    lottery_ctx: ServiceContext, racers: list[ServiceContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control run: with a claim that does not check `drawn_at`, the same race records
    more than one draw, so the test above can fail."""

    async def naive_claim(conn, course_id, *, seed, now):  # type: ignore[no-untyped-def]
        await conn.execute(
            update(course_table)
            .where(course_table.c.id == course_id)
            .values(drawn_at=now, draw_seed=seed)
        )
        return True

    monkeypatch.setattr(lottery_storage, "claim_draw", naive_claim)
    await apply_many(lottery_ctx, 6)
    assert await _race(racers) == [True, True, True, True]
    assert await draw_entries(lottery_ctx) > 1


async def test_applications_racing_the_draw_are_drawn_or_first_come_never_left_applied(
    lottery_ctx: ServiceContext, racers: list[ServiceContext]
) -> None:
    await apply_many(lottery_ctx, 6)
    late = [
        apply(racers[1 + n % 3], 100 + n, EMPLOYERS[n % 5], ("digital", "vaxjo")[n % 2])
        for n in range(12)
    ]
    results = await asyncio.gather(draw(racers[0], SLUG, actor=CLI), *late)
    assert results[0].drawn_now
    found = await statuses(lottery_ctx)
    assert set(found.values()) <= {"confirmed", "waitlisted"}
    async with lottery_ctx.db.read() as conn:
        course = await load_course(conn, SLUG)
    assert course is not None
    assert Counter(found.values())["confirmed"] == course.confirmed_count == 3
    assert course.format_by_key("digital").confirmed_count <= 2


async def test_the_workers_housekeeping_round_runs_the_due_draw(
    lottery_ctx: ServiceContext, clock: FixedClock
) -> None:
    from courses.services.housekeeping import housekeeping

    await apply_many(lottery_ctx, 4)
    clock.set(local(2022, 4, 2, 0, 1))
    await housekeeping(lottery_ctx)
    assert Counter((await statuses(lottery_ctx)).values()) == {"confirmed": 3, "waitlisted": 1}
    assert await draw_entries(lottery_ctx) == 1
