"""`/mina-anmalningar`'s use case: one list mail per mailbox (any `+tag`), with what is still
on, at most once in 10 minutes; nothing for an address without registrations. On SQLite and
on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.my_registrations import LIST_EVERY, mail_my_registrations
from courses.services.registration.register import register
from tests.conftest import form, local
from tests.services.outbox_rows import mails_since, outbox_mark

LVM = "lvm-forelasning-2022"  # one session, 29 March 2022
ASI = "asi-grund-2022"
RELAPSE = "aterfallsprevention-2022"


async def test_one_mail_goes_to_the_mailbox_whatever_tag_or_case_is_typed(
    seeded: ServiceContext,
) -> None:
    await register(seeded, LVM, form(1))
    newest = await register(seeded, ASI, form(1, email="Deltagare1+asi@vaxjo.se"))
    await register(seeded, ASI, form(2))
    mark = await outbox_mark(seeded)

    queued = await mail_my_registrations(seeded, "deltagare1+annat@VAXJO.se")

    mails = await mails_since(seeded, mark)
    assert queued is True
    assert [(m.kind, m.registration_id) for m in mails] == [("my_registrations", newest.id)]


async def test_asking_again_within_ten_minutes_mails_nothing_more(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    await register(seeded, LVM, form(1))
    mark = await outbox_mark(seeded)

    first = await mail_my_registrations(seeded, "deltagare1@vaxjo.se")
    clock.set(clock.now() + LIST_EVERY - timedelta(seconds=1))
    again = await mail_my_registrations(seeded, "deltagare1+x@vaxjo.se")
    clock.set(clock.now() + timedelta(seconds=1))
    later = await mail_my_registrations(seeded, "deltagare1@vaxjo.se")

    assert (first, again, later) == (True, False, True)
    assert len(await mails_since(seeded, mark)) == 2


async def test_requests_at_the_same_moment_queue_one_list(seeded: ServiceContext) -> None:
    await register(seeded, LVM, form(1))
    await register(seeded, ASI, form(1))
    mark = await outbox_mark(seeded)

    queued = await asyncio.gather(
        *(mail_my_registrations(seeded, f"deltagare1+{n}@vaxjo.se") for n in range(8))
    )

    assert sorted(queued) == [False] * 7 + [True]
    assert len(await mails_since(seeded, mark)) == 1


async def test_a_registration_made_since_the_last_list_gets_a_new_one(
    seeded: ServiceContext,
) -> None:
    await register(seeded, LVM, form(1))
    await mail_my_registrations(seeded, "deltagare1@vaxjo.se")
    await register(seeded, ASI, form(1))

    assert await mail_my_registrations(seeded, "deltagare1@vaxjo.se") is True


async def test_no_mail_for_an_unknown_address_cancelled_registrations_or_ended_courses(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    await register(seeded, LVM, form(1))
    cancelled = await register(seeded, RELAPSE, form(2, format="digital"))
    await cancel_registration(seeded, cancelled.manage_url.rsplit("/", 1)[1])
    mark = await outbox_mark(seeded)

    unknown = await mail_my_registrations(seeded, "ingen.alls@vaxjo.se")
    only_cancelled = await mail_my_registrations(seeded, "deltagare2@vaxjo.se")
    clock.set(local(2022, 3, 30, 8, 0))  # the day after LVM's only session
    ended = await mail_my_registrations(seeded, "deltagare1@vaxjo.se")

    assert (unknown, only_cancelled, ended) == (False, False, False)
    assert await mails_since(seeded, mark) == []
