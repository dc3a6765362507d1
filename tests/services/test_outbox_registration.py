"""The outbox rows that registering, "already registered" and cancelling write, in their
transaction, and the manage link the mails carry."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from courses.domain.errors import AlreadyRegistered, CourseFull, RegistrationClosed
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.services.tokens import token_for
from courses.storage.tables import outbox_table, registration_table
from tests.conftest import COURSE_WITHOUT_WAITLIST, fill_asi, form, local
from tests.services.outbox_rows import (
    ALL_PARTS,
    ASI,
    Mail,
    addressed_to,
    mails_since,
    outbox_mark,
)

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
