"""A lottery course with fair seats (`per_employer`), and an import that would strand its
applications: the draw respects the share while it lasts, the audit entry records it, the
release job fills the seats in drawn order when it ends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationStatus
from courses.schedule import ScheduleError, parse_schedule
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw, run_due_draws, verify_draw
from courses.services.schedule.importing import import_schedule
from courses.services.seats.share_release import release_ended_shares
from courses.storage.tables import registration_table
from tests.conftest import local
from tests.services.lottery_support import (
    SLUG,
    add_lottery,
    apply,
    draw_details,
    lottery_toml,
    statuses,
)
from tests.services.outbox_rows import mails_since, outbox_mark

CLI = Actor.command_line()
FAIR = "per_employer = 1"


async def _four_from_vaxjo_one_from_alvesta(ctx: ServiceContext) -> list[int]:
    receipts = [await apply(ctx, n, "vaxjo", "digital") for n in range(1, 5)]
    receipts.append(await apply(ctx, 5, "alvesta", "digital"))
    # Before the draw registering is applying: the share does not waitlist anyone yet.
    assert {r.status for r in receipts} == {RegistrationStatus.APPLIED}
    return [r.id for r in receipts]


async def test_a_draw_while_the_share_lasts_seats_one_per_employer(
    seeded: ServiceContext,
) -> None:
    await add_lottery(seeded, seats=3, digital_seats=3, extra=FAIR)
    ids = await _four_from_vaxjo_one_from_alvesta(seeded)

    # Drawn by hand on 1 March, the share lasts through the deadline (1 April).
    outcome = await draw(seeded, SLUG, actor=CLI, seed=5)

    # Without the share Växjö would get the third seat in the second round.
    assert (outcome.seated, outcome.waitlisted) == (2, 3)
    found = await statuses(seeded)
    assert found[ids[4]] == "confirmed"
    assert sorted(found[i] for i in ids[:4]) == ["confirmed"] + ["waitlisted"] * 3
    details = await draw_details(seeded)
    caps = details["caps"]
    assert caps["per_employer"] == 1
    verification = await verify_draw(seeded, SLUG, actor=CLI)
    assert verification.ok, verification.problems

    # After the draw registering is first come, and the share applies to it as usual.
    mark = await outbox_mark(seeded)
    late = await apply(seeded, 6, "vaxjo", "digital")
    assert late.status is RegistrationStatus.WAITLISTED
    [mail] = await mails_since(seeded, mark, kind="waitlisted")
    assert mail.payload["per_employer"] == 1
    assert "after_draw" not in mail.payload
    other = await apply(seeded, 7, "ljungby", "digital")
    assert other.status is RegistrationStatus.CONFIRMED


async def test_when_the_share_ends_the_release_fills_the_seats_in_drawn_order(
    seeded: ServiceContext,
) -> None:
    await add_lottery(seeded, seats=3, digital_seats=3, extra=FAIR)
    ids = await _four_from_vaxjo_one_from_alvesta(seeded)
    await draw(seeded, SLUG, actor=CLI, seed=5)
    late = await apply(seeded, 6, "vaxjo", "digital")  # waits behind the drawn waitlist
    details = await draw_details(seeded)
    order, seated = details["order"], details["seated"]
    drawn_waitlist = [i for i in order if i not in seated]

    seeded.clock.set(local(2022, 4, 2, 6, 0))  # type: ignore[attr-defined]
    promoted = await release_ended_shares(seeded)

    assert promoted == 1
    found = await statuses(seeded)
    assert found[drawn_waitlist[0]] == "confirmed"
    assert [found[i] for i in drawn_waitlist[1:]] == ["waitlisted", "waitlisted"]
    assert found[late.id] == "waitlisted"
    assert sum(found[i] == "confirmed" for i in ids) == 3


async def test_a_draw_on_its_day_after_the_share_ended_has_no_employer_limit(
    seeded: ServiceContext,
) -> None:
    await add_lottery(seeded, seats=3, digital_seats=3, extra=FAIR)
    ids = await _four_from_vaxjo_one_from_alvesta(seeded)

    seeded.clock.set(local(2022, 4, 2, 0, 5))  # type: ignore[attr-defined]
    [outcome] = await run_due_draws(seeded)

    assert outcome.seated == 3
    caps = (await draw_details(seeded))["caps"]
    assert caps["per_employer"] is None
    assert (await verify_draw(seeded, SLUG, actor=CLI)).ok
    found = await statuses(seeded)
    assert sum(found[i] == "confirmed" for i in ids[:4]) == 2


async def test_an_import_may_not_make_an_undrawn_lottery_with_applications_first_come(
    seeded: ServiceContext,
) -> None:
    await add_lottery(seeded)
    first_come = parse_schedule(lottery_toml(allocation="first_come"))
    await import_schedule(seeded, first_come, dry_run=True)  # no applications: allowed
    await apply(seeded, 1, "vaxjo", "digital")
    await apply(seeded, 2, "alvesta", "digital")

    with pytest.raises(ScheduleError) as refused:
        await import_schedule(seeded, first_come)

    [problem] = refused.value.problems
    assert problem.place == f"course[1] ({SLUG}).allocation"
    assert problem.message == (
        "Kursen har 2 ansökningar som inte lottats: lotta först med "
        f"`courses draw {SLUG}`, eller ställ in kursen."
    )
    assert set((await statuses(seeded)).values()) == {"applied"}

    # Drawn first, the course is first come anyway: the import goes through.
    await draw(seeded, SLUG, actor=CLI, seed=1)
    report = await import_schedule(seeded, first_come)
    assert report.changed


async def test_seats_held_before_the_course_became_a_lottery_count_in_the_share(
    seeded: ServiceContext,
) -> None:
    """An import made a first-come course with a registrant a lottery: their seat counts."""
    await add_lottery(seeded, seats=4, digital_seats=4, extra=FAIR, allocation="first_come")
    early = await apply(seeded, 9, "vaxjo", "digital")
    assert early.status is RegistrationStatus.CONFIRMED
    await add_lottery(seeded, seats=4, digital_seats=4, extra=FAIR)
    ids = await _four_from_vaxjo_one_from_alvesta(seeded)

    outcome = await draw(seeded, SLUG, actor=CLI, seed=5)

    assert outcome.seated == 1
    found = await statuses(seeded)
    assert [found[i] for i in ids] == ["waitlisted"] * 4 + ["confirmed"]
    caps = (await draw_details(seeded))["caps"]
    assert caps["held"] == {str(await _employer_id(seeded, early.id)): 1}
    assert (await verify_draw(seeded, SLUG, actor=CLI)).ok


async def _employer_id(ctx: ServiceContext, registration_id: int) -> int:
    reg = registration_table.c
    async with ctx.db.read() as conn:
        found = await conn.execute(select(reg.employer_id).where(reg.id == registration_id))
        return int(found.scalar_one())
