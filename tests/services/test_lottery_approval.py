"""A lottery course whose manager approves: the application names the manager, the draw holds
each winner's seat for their manager, and a decline promotes the next in drawn order."""

from __future__ import annotations

from typing import Any

import pytest

from courses.domain.errors import InvalidInput, NotEligible
from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationStatus
from courses.services.approval.answers import approve, decline
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw, verify_draw
from courses.services.registration.lookup import get_registration
from tests.approval_support import approval_token
from tests.services.lottery_support import (
    EMPLOYERS,
    SLUG,
    add_lottery,
    apply,
    draw_details,
    manager_of,
    statuses,
)
from tests.services.outbox_rows import addressed_to, mails_since, outbox_mark

CLI = Actor.command_line()
APPROVAL = 'approval = "manager"\napproval_days = 7'


@pytest.fixture
async def lottery_ctx(seeded: ServiceContext) -> ServiceContext:
    await add_lottery(seeded, seats=2, digital_seats=2, extra=APPROVAL)
    return seeded


async def _apply(ctx: ServiceContext, n: int) -> Any:
    employer = EMPLOYERS[n % len(EMPLOYERS)]
    return await apply(ctx, n, employer, "digital", manager_email=manager_of(n, employer))


async def test_an_application_names_its_manager_who_is_checked_and_kept(
    lottery_ctx: ServiceContext,
) -> None:
    with pytest.raises(InvalidInput) as missing:
        await apply(lottery_ctx, 1, "vaxjo", "digital")
    assert [e.field for e in missing.value.errors] == ["manager_email"]
    with pytest.raises(NotEligible) as elsewhere:
        await apply(lottery_ctx, 1, "vaxjo", "digital", manager_email="chef@ljungby.se")
    assert elsewhere.value.field == "manager_email"

    receipt = await apply(lottery_ctx, 1, "vaxjo", "digital", manager_email=manager_of(1, "vaxjo"))

    assert receipt.status is RegistrationStatus.APPLIED
    details = await get_registration(lottery_ctx, receipt.token)
    assert details.status is RegistrationStatus.APPLIED
    assert details.manager_email == "chef1@vaxjo.se"


async def test_the_draw_holds_the_winners_seats_for_their_managers(
    lottery_ctx: ServiceContext,
) -> None:
    receipts = [await _apply(lottery_ctx, n) for n in range(1, 6)]
    mark = await outbox_mark(lottery_ctx)

    outcome = await draw(lottery_ctx, SLUG, actor=CLI, seed=11)

    assert (outcome.seated, outcome.waitlisted, outcome.pending_approval) == (2, 3, 2)
    details = await draw_details(lottery_ctx)
    seated = details["seated"]
    assert details["pending_approval"] == seated
    found = await statuses(lottery_ctx)
    assert {found[r.id] for r in receipts if r.id in seated} == {"pending_approval"}
    assert {found[r.id] for r in receipts if r.id not in seated} == {"waitlisted"}
    mails = await mails_since(lottery_ctx, mark)
    for r in receipts:
        if r.id in seated:
            # The approval mails, not the confirmation: the seat is not theirs yet.
            assert addressed_to(mails, r.id) == [
                ("awaiting_approval", None, None),
                ("approval_request", None, None),
            ]
        else:
            assert addressed_to(mails, r.id) == [("waitlisted", None, None)]
    assert (await verify_draw(lottery_ctx, SLUG, actor=CLI)).ok


async def test_approve_confirms_and_decline_promotes_the_next_in_drawn_order(
    lottery_ctx: ServiceContext,
) -> None:
    receipts = {r.id: r for r in [await _apply(lottery_ctx, n) for n in range(1, 6)]}
    await draw(lottery_ctx, SLUG, actor=CLI, seed=11)
    details = await draw_details(lottery_ctx)
    seated, order = details["seated"], details["order"]
    drawn_waitlist = [id_ for id_ in order if id_ not in seated]
    approved, declined = seated

    mark = await outbox_mark(lottery_ctx)
    await approve(lottery_ctx, await approval_token(lottery_ctx, approved))
    await decline(lottery_ctx, await approval_token(lottery_ctx, declined))

    found = await statuses(lottery_ctx)
    assert found[approved] == "confirmed"
    assert found[declined] == "cancelled"
    next_in_line = drawn_waitlist[0]
    assert found[next_in_line] == "pending_approval"
    assert [found[id_] for id_ in drawn_waitlist[1:]] == ["waitlisted", "waitlisted"]
    mails = await mails_since(lottery_ctx, mark)
    assert addressed_to(mails, approved) == [("approved", 1, "REQUEST"), ("approved", 2, "REQUEST")]
    assert addressed_to(mails, declined) == [("declined", None, None)]
    assert addressed_to(mails, next_in_line) == [
        ("awaiting_approval", None, None),
        ("approval_request", None, None),
    ]
    promoted = await get_registration(lottery_ctx, receipts[next_in_line].token)
    n = [*receipts].index(next_in_line) + 1
    assert promoted.manager_email == manager_of(n, EMPLOYERS[n % len(EMPLOYERS)])


async def test_a_winner_who_named_no_manager_is_confirmed_as_before(
    seeded: ServiceContext,
) -> None:
    """Applied before the course asked for approval (an import added it): no one to ask."""
    await add_lottery(seeded, seats=2, digital_seats=2)
    early = await apply(seeded, 1, "vaxjo", "digital")
    await add_lottery(seeded, seats=2, digital_seats=2, extra=APPROVAL)
    mark = await outbox_mark(seeded)

    await draw(seeded, SLUG, actor=CLI, seed=3)

    assert (await statuses(seeded))[early.id] == "confirmed"
    mails = await mails_since(seeded, mark)
    assert [m.kind for m in mails if m.registration_id == early.id] == ["confirmed", "confirmed"]
    assert mails[0].payload.get("drawn") is True
