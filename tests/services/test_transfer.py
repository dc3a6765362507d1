"""Handing a seat to a colleague against a real database (SQLite and PostgreSQL): the seat
count never moves, the colleague gets a registration and mails of their own, the giver CANCEL
invites; refusals name the field and change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courses.clock import FixedClock
from courses.domain.errors import InvalidInput, NotEligible, RegistrationClosed, StaffConflict
from courses.domain.rules import RegistrationStatus
from courses.services.approval.answers import approve
from courses.services.catalogue.listing import get_course
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.services.registration.register import register
from courses.services.registration.transfer import Colleague, transfer_registration
from courses.storage.audit import list_entries
from courses.storage.tables import registration_table
from tests.approval_support import (
    APPROVAL,
    MANAGER,
    add_approval_course,
    approval_form,
    approval_token,
)
from tests.conftest import ASI, fill_asi, form, local
from tests.services.outbox_rows import ALL_PARTS, addressed_to, mails_since, outbox_mark


def colleague(n: int = 9, **overrides: object) -> Colleague:
    values: dict[str, object] = {
        "name": f"Kollega {n}",
        "email": f"kollega{n}@vaxjo.se",
        "workplace": "Mottagningen",
    }
    values.update(overrides)
    return Colleague(**values)  # type: ignore[arg-type]


async def test_the_colleague_takes_the_seat_and_the_count_does_not_move(
    seeded: ServiceContext,
) -> None:
    seated, queued = await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)

    outcome = await transfer_registration(seeded, seated[0].token, colleague())

    assert outcome.status is RegistrationStatus.CONFIRMED
    assert (await get_course(seeded, ASI)).course.seats_left == 0
    giver = await get_registration(seeded, seated[0].token)
    assert giver.status is RegistrationStatus.TRANSFERRED
    assert not giver.can_cancel
    mails = await mails_since(seeded, mark)
    assert addressed_to(mails, outcome.registration_id) == [
        ("transferred_in", part, "REQUEST") for part in ALL_PARTS
    ]
    assert addressed_to(mails, seated[0].id) == [
        ("transferred_out", part, "CANCEL") for part in ALL_PARTS
    ]
    assert addressed_to(mails, queued[0].id) == []  # nobody moved up: no seat was freed
    reg = registration_table.c
    async with seeded.db.read() as conn:
        row = (
            await conn.execute(
                select(reg.status, reg.replaces_id, reg.queue_no, reg.format_id).where(
                    reg.id == outcome.registration_id
                )
            )
        ).one()
        giver_row = (
            await conn.execute(select(reg.queue_no, reg.format_id).where(reg.id == seated[0].id))
        ).one()
        audit = await list_entries(conn, organizer_ids=None, limit=5)
    assert row.status == "confirmed"
    assert row.replaces_id == seated[0].id
    assert (row.queue_no, row.format_id) == (giver_row.queue_no, giver_row.format_id)
    entry = next(e for e in audit if e.action == "registration.transfer")
    assert "Kollega" not in entry.summary  # no names in the log


async def test_refusals_name_the_field_and_change_nothing(seeded: ServiceContext) -> None:
    seated, queued = await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)
    token = seated[0].token

    cases = [
        (colleague(email="kollega@ljungby.se"), "email", "Växjö kommun"),
        (colleague(email="deltagare1+annan@vaxjo.se"), "email", "din egen adress"),
        (colleague(email="deltagare2@vaxjo.se"), "email", "redan anmäld"),
        (colleague(email="deltagare5@vaxjo.se"), "email", "redan anmäld"),
    ]
    for person, field, words in cases:
        with pytest.raises(NotEligible) as refused:
            await transfer_registration(seeded, token, person)
        assert refused.value.field == field
        assert words in refused.value.detail

    with pytest.raises(StaffConflict, match="bekräftad plats"):
        await transfer_registration(seeded, queued[0].token, colleague())
    assert (await get_registration(seeded, token)).status is RegistrationStatus.CONFIRMED
    assert await mails_since(seeded, mark) == []


async def test_no_transfer_once_the_course_has_begun(seeded: ServiceContext) -> None:
    receipt = await register(seeded, ASI, form(1))
    assert isinstance(seeded.clock, FixedClock)
    seeded.clock.set(local(2022, 12, 31, 12))

    with pytest.raises(RegistrationClosed):
        await transfer_registration(seeded, receipt.token, colleague())


async def test_a_transferred_registration_cannot_be_handed_on_again(
    seeded: ServiceContext,
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await transfer_registration(seeded, receipt.token, colleague(9))

    with pytest.raises(StaffConflict, match="inte längre aktiv"):
        await transfer_registration(seeded, receipt.token, colleague(10))


async def test_on_an_approval_course_the_colleagues_manager_is_asked_and_the_seat_held(
    seeded: ServiceContext,
) -> None:
    await add_approval_course(seeded)
    receipt = await register(seeded, APPROVAL, approval_form(1))
    await approve(seeded, await approval_token(seeded, receipt.id))
    mark = await outbox_mark(seeded)

    with pytest.raises(InvalidInput) as missing:
        await transfer_registration(seeded, receipt.token, colleague())
    assert [e.field for e in missing.value.errors] == ["manager_email"]
    with pytest.raises(NotEligible) as refused:
        await transfer_registration(
            seeded, receipt.token, colleague(manager_email="kollega9@vaxjo.se")
        )
    assert refused.value.field == "manager_email"
    outcome = await transfer_registration(seeded, receipt.token, colleague(manager_email=MANAGER))

    assert outcome.status is RegistrationStatus.PENDING_APPROVAL
    assert (await get_course(seeded, APPROVAL)).course.seats_left == 1
    mails = await mails_since(seeded, mark)
    assert sorted(addressed_to(mails, outcome.registration_id)) == [
        ("approval_request", None, None),
        ("transferred_in", None, None),
    ]
    assert [m[0] for m in addressed_to(mails, receipt.id)] == ["transferred_out"]
