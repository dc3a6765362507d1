"""Admins see unsent and failed mail and retry it; statistics per course and per employer."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from courses.domain.errors import Forbidden, ItemNotFound, StaffConflict
from courses.domain.notices import OutboxStatus
from courses.services.context import ServiceContext
from courses.services.outbox.mail_admin import list_unsent_mail, retry_mail
from courses.services.registration.on_behalf import cancel_on_behalf
from courses.services.registration.register import register
from courses.services.statistics import Statistics, statistics
from courses.storage.staff_tables import attendance_table
from courses.storage.tables import outbox_table
from tests.approval_support import APPROVAL, MANAGER, add_approval_course, approval_form
from tests.conftest import ASI, fill_asi, form
from tests.services.admin_support import (
    LEADER,
    OTHER_COURSE,
    actions,
    add_other_organizer,
    admin_of,
)


async def _fail(ctx: ServiceContext, mail_id: int) -> None:
    async with ctx.db.write() as conn:
        await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.id == mail_id)
            .values(status="failed", attempts=3, last_error="550 mailbox unavailable")
        )


async def test_unsent_mails_are_listed_and_a_failed_one_is_retried_once(
    seeded: ServiceContext,
) -> None:
    await register(seeded, ASI, form(1))
    admin = await admin_of(seeded)
    (first, *_) = await list_unsent_mail(seeded, admin)
    assert (first.recipient, first.course_slug, first.status) == (
        "deltagare1@vaxjo.se",
        ASI,
        OutboxStatus.PENDING,
    )
    await _fail(seeded, first.id)
    (failed,) = await list_unsent_mail(seeded, admin, status=OutboxStatus.FAILED)
    assert (failed.id, failed.last_error) == (first.id, "550 mailbox unavailable")

    retried = await retry_mail(seeded, admin, first.id)

    assert (retried.status, retried.available_at) == (OutboxStatus.PENDING, seeded.clock.now())
    assert await list_unsent_mail(seeded, admin, status=OutboxStatus.FAILED) == []
    assert (await actions(seeded))[0].action == "mail.retry"
    with pytest.raises(StaffConflict):
        await retry_mail(seeded, admin, first.id)


async def test_another_organizers_mail_is_invisible(seeded: ServiceContext) -> None:
    await register(seeded, ASI, form(1))
    admin_b = await add_other_organizer(seeded)
    admin = await admin_of(seeded)
    (mine, *_) = await list_unsent_mail(seeded, admin)
    await _fail(seeded, mine.id)

    assert await list_unsent_mail(seeded, admin_b) == []
    with pytest.raises(ItemNotFound):
        await retry_mail(seeded, admin_b, mine.id)
    with pytest.raises(Forbidden):
        await list_unsent_mail(seeded, LEADER)


async def test_statistics_count_per_course_and_per_employer(seeded: ServiceContext) -> None:
    seated, waiting = await fill_asi(seeded, waiting=2)
    admin = await admin_of(seeded)
    await cancel_on_behalf(seeded, admin, waiting[1].id)
    await register(seeded, ASI, form("l", email="anna@ljungby.se", employer="ljungby"))
    async with seeded.db.write() as conn:
        await conn.execute(
            attendance_table.insert(),
            [
                {
                    "registration_id": seated[0].id,
                    "session_position": p,
                    "attended": True,
                    "marked_at": seeded.clock.now(),
                    "marked_by": "kursledare",
                }
                for p in (1, 2)
            ]
            + [
                {
                    "registration_id": seated[1].id,
                    "session_position": 1,
                    "attended": False,
                    "marked_at": seeded.clock.now(),
                    "marked_by": "kursledare",
                }
            ],
        )
    await add_other_organizer(seeded)

    stats = await statistics(seeded, admin)

    asi = next(c for c in stats.courses if c.slug == ASI)
    assert (asi.registered, asi.confirmed, asi.waitlisted, asi.cancelled, asi.attended) == (
        7,
        4,
        2,
        1,
        1,
    )
    assert (asi.seats, Statistics.seats_left(asi)) == (4, 0)
    vaxjo = next(e for e in stats.employers if e.key == "vaxjo")
    ljungby = next(e for e in stats.employers if e.key == "ljungby")
    assert (vaxjo.registered, vaxjo.confirmed, vaxjo.cancelled, vaxjo.attended) == (6, 4, 1, 1)
    assert (ljungby.registered, ljungby.waitlisted) == (1, 1)
    assert OTHER_COURSE not in [c.slug for c in stats.courses]
    untouched = next(c for c in stats.courses if c.slug == "hap-2022")
    assert untouched.registered == 0


async def test_a_mail_to_the_manager_is_listed_with_the_manager_as_recipient(
    seeded: ServiceContext,
) -> None:
    await add_approval_course(seeded)
    await register(seeded, APPROVAL, approval_form(1))

    mails = await list_unsent_mail(seeded, await admin_of(seeded))

    by_kind = {m.kind: m.recipient for m in mails if m.course_slug == APPROVAL}
    assert by_kind == {"approval_request": MANAGER, "awaiting_approval": "deltagare1@vaxjo.se"}
