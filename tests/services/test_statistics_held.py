"""The statistics count registrations waiting for their manager and lottery applications beside
the others; a seat waiting for the manager is held (it is not free, and it is the employer's);
a fair-seat course carries its cap; the counts survive the retention purge."""

from __future__ import annotations

from datetime import date

from courses.domain.fair_seats import Share
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.retention.purge import purge
from courses.services.statistics import Statistics, statistics
from tests.approval_support import APPROVAL, add_approval_course, approval_form
from tests.conftest import local
from tests.fair_support import FAIR, with_fair_course
from tests.services.admin_support import admin_of
from tests.services.lottery_support import SLUG as LOTTERY
from tests.services.lottery_support import add_lottery, apply
from tests.services.retention_support import STAFF, at


async def _pending_and_applied(ctx: ServiceContext) -> None:
    """Two seats held for the manager and a third waiting; two lottery applications."""
    await add_approval_course(ctx)
    await add_lottery(ctx)
    receipts = [await register(ctx, APPROVAL, approval_form(n)) for n in (1, 2, 3)]
    assert [r.status for r in receipts] == [
        RegistrationStatus.PENDING_APPROVAL,
        RegistrationStatus.PENDING_APPROVAL,
        RegistrationStatus.WAITLISTED,
    ]
    await apply(ctx, 11, "vaxjo", "digital")
    await apply(ctx, 12, "ljungby", "vaxjo")


async def test_pending_and_applied_are_counted_per_course(seeded: ServiceContext) -> None:
    await _pending_and_applied(seeded)

    stats = await statistics(seeded, await admin_of(seeded))

    by_slug = {c.slug: c for c in stats.courses}
    approval = by_slug[APPROVAL]
    assert (approval.registered, approval.confirmed, approval.pending_approval) == (3, 0, 2)
    assert (approval.waitlisted, approval.applied, approval.held) == (1, 0, 2)
    # Held seats are not free: the course's two seats are both taken.
    assert Statistics.seats_left(approval) == 0
    lottery = by_slug[LOTTERY]
    assert (lottery.registered, lottery.applied, lottery.confirmed, lottery.held) == (2, 2, 0, 0)


async def test_pending_and_applied_are_counted_per_employer(seeded: ServiceContext) -> None:
    await _pending_and_applied(seeded)

    stats = await statistics(seeded, await admin_of(seeded))

    by_key = {e.key: e for e in stats.employers}
    vaxjo, ljungby = by_key["vaxjo"], by_key["ljungby"]
    assert (vaxjo.pending_approval, vaxjo.held, vaxjo.applied, vaxjo.waitlisted) == (2, 2, 1, 1)
    assert (ljungby.pending_approval, ljungby.held, ljungby.applied) == (0, 0, 1)


async def test_a_fair_seat_course_carries_its_cap_and_others_none(seeded: ServiceContext) -> None:
    await with_fair_course(seeded)

    stats = await statistics(seeded, await admin_of(seeded))

    by_slug = {c.slug: c for c in stats.courses}
    assert Statistics.share(by_slug[FAIR]) == Share(1, date(2022, 8, 25))
    assert Statistics.share(by_slug["asi-grund-2022"]) is None


async def test_pending_and_applied_counts_survive_the_purge(seeded: ServiceContext) -> None:
    await _pending_and_applied(seeded)
    admin = await admin_of(seeded)
    before = await statistics(seeded, admin)

    report = await purge(at(local(2023, 6, 1, 3, 0), seeded))

    assert {c.slug for c in report.courses} >= {APPROVAL, LOTTERY}
    after = await statistics(seeded, STAFF)
    assert after == before
    assert {c.slug: c.pending_approval for c in after.courses}[APPROVAL] == 2
