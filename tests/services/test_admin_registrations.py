"""Admins cancel a registration on someone's behalf and promote a waitlisted person by hand."""

from __future__ import annotations

import pytest

from courses.clock import FixedClock
from courses.domain.errors import Forbidden, RegistrationNotFound, StaffConflict
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.services.registration.on_behalf import cancel_on_behalf, promote_by_hand
from tests.conftest import fill_asi, local
from tests.services.admin_support import (
    LEADER,
    actions,
    add_other_organizer,
    admin_of,
)
from tests.services.outbox_rows import ALL_PARTS, addressed_to, mails_since, outbox_mark


async def _status(ctx: ServiceContext, token: str) -> RegistrationStatus:
    return (await get_registration(ctx, token)).status


async def test_cancelling_on_behalf_mails_the_registrant_frees_the_seat_and_promotes(
    seeded: ServiceContext,
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    outcome = await cancel_on_behalf(seeded, admin, seated[1].id)

    assert outcome.promoted == [waiting.id]
    assert await _status(seeded, seated[1].token) is RegistrationStatus.CANCELLED
    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[1].id) == [("cancelled", p, "CANCEL") for p in ALL_PARTS]
    assert addressed_to(written, waiting.id) == [("promoted", p, "REQUEST") for p in ALL_PARTS]
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.details["registration_id"]) == (
        "registration.cancel",
        seated[1].id,
    )


async def test_after_the_course_began_an_admin_still_cancels_but_nobody_is_promoted(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    clock.set(local(2022, 9, 14, 12, 0))

    outcome = await cancel_on_behalf(seeded, await admin_of(seeded), seated[0].id)

    assert outcome.promoted == []
    assert await _status(seeded, waiting.token) is RegistrationStatus.WAITLISTED


async def test_a_cancelled_or_foreign_registration_is_not_found(seeded: ServiceContext) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    admin_b = await add_other_organizer(seeded)
    admin = await admin_of(seeded)
    await cancel_on_behalf(seeded, admin, seated[0].id)

    with pytest.raises(RegistrationNotFound):
        await cancel_on_behalf(seeded, admin, seated[0].id)
    with pytest.raises(RegistrationNotFound):
        await cancel_on_behalf(seeded, admin_b, seated[1].id)
    with pytest.raises(Forbidden):
        await cancel_on_behalf(seeded, LEADER, seated[1].id)
    assert await _status(seeded, seated[1].token) is RegistrationStatus.CONFIRMED


async def test_promoting_by_hand_fills_a_seat_freed_after_the_start_and_mails_the_invites(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    # Once the course has begun nobody is promoted by itself; the admin picks who gets the seat.
    seated, waiting = await fill_asi(seeded, waiting=2)
    admin = await admin_of(seeded)
    clock.set(local(2022, 9, 14, 12, 0))
    await cancel_on_behalf(seeded, admin, seated[0].id)
    mark = await outbox_mark(seeded)

    outcome = await promote_by_hand(seeded, admin, waiting[1].id)

    assert outcome.status is RegistrationStatus.CONFIRMED
    assert await _status(seeded, waiting[1].token) is RegistrationStatus.CONFIRMED
    assert await _status(seeded, waiting[0].token) is RegistrationStatus.WAITLISTED
    written = await mails_since(seeded, mark)
    assert addressed_to(written, waiting[1].id) == [("promoted", p, "REQUEST") for p in ALL_PARTS]
    assert (await actions(seeded))[0].action == "registration.promote"


async def test_promoting_into_a_full_course_is_refused_and_changes_nothing(
    seeded: ServiceContext,
) -> None:
    _, (waiting,) = await fill_asi(seeded, waiting=1)
    admin = await admin_of(seeded)
    before = await actions(seeded)

    with pytest.raises(StaffConflict) as refused:
        await promote_by_hand(seeded, admin, waiting.id)

    assert "fullbokad" in refused.value.detail
    assert await _status(seeded, waiting.token) is RegistrationStatus.WAITLISTED
    assert await actions(seeded) == before


async def test_a_confirmed_person_cannot_be_promoted(seeded: ServiceContext) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)

    with pytest.raises(StaffConflict):
        await promote_by_hand(seeded, await admin_of(seeded), seated[0].id)


async def test_an_admin_of_another_organizer_cannot_promote(seeded: ServiceContext) -> None:
    _, (waiting,) = await fill_asi(seeded, waiting=1)
    admin_b = await add_other_organizer(seeded)

    with pytest.raises(RegistrationNotFound):
        await promote_by_hand(seeded, admin_b, waiting.id)
