"""Staff act for someone who phoned: register them, cancel for them with a reason, move them
to another format within its cap."""

from __future__ import annotations

import pytest

from courses.clock import FixedClock
from courses.domain.errors import (
    AlreadyRegistered,
    CourseNotFound,
    Forbidden,
    InvalidInput,
    RegistrationClosed,
    RegistrationNotFound,
    StaffConflict,
)
from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.registration.by_staff import register_on_behalf
from courses.services.registration.lookup import get_registration
from courses.services.registration.on_behalf import cancel_on_behalf, move_to_format
from courses.storage.courses import load_course
from tests.conftest import fill_asi, form, local
from tests.services.admin_support import LEADER, actions, add_other_organizer, admin_of
from tests.services.lottery_support import SLUG as LOTTERY
from tests.services.lottery_support import add_lottery
from tests.services.moves_support import MOVE, add_move_course, in_digital, in_ljungby
from tests.services.outbox_rows import (
    ALL_PARTS,
    ASI,
    addressed_to,
    calendar_sequence,
    mails_since,
    outbox_mark,
)

OTHER_LEADER = Actor(label="annan@vaxjo.se", leader_key="annan@vaxjo.se")


async def _seats(ctx: ServiceContext) -> dict[str, int]:
    async with ctx.db.read() as conn:
        course = await load_course(conn, MOVE)
    assert course is not None
    return {f.key: f.confirmed_count for f in course.formats}


async def _status(ctx: ServiceContext, token: str) -> RegistrationStatus:
    return (await get_registration(ctx, token)).status


# Registering someone who phoned ----------------------------------------------------------------


async def test_a_leader_registers_someone_for_their_course_with_the_usual_mail_and_audit(
    seeded: ServiceContext,
) -> None:
    await add_move_course(seeded)
    mark = await outbox_mark(seeded)

    receipt = await register_on_behalf(seeded, LEADER, MOVE, form(7, format="digital"))

    assert receipt.status is RegistrationStatus.CONFIRMED
    assert addressed_to(await mails_since(seeded, mark), receipt.id) == [
        ("confirmed", 1, "REQUEST"),
        ("confirmed", 2, "REQUEST"),
    ]
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.actor, entry.course_slug) == (
        "registration.on_behalf",
        LEADER.label,
        MOVE,
    )
    assert entry.details == {"registration_id": receipt.id, "status": "confirmed"}
    assert "deltagare7@vaxjo.se" in entry.summary


async def test_registering_on_behalf_keeps_the_rules_deadline_and_one_per_person(
    seeded: ServiceContext,
) -> None:
    await fill_asi(seeded, waiting=0)
    admin = await admin_of(seeded)

    late = await register_on_behalf(seeded, admin, ASI, form(9))
    with pytest.raises(AlreadyRegistered):
        await register_on_behalf(seeded, admin, ASI, form(9))

    assert late.status is RegistrationStatus.WAITLISTED
    assert [e.action for e in await actions(seeded)][:1] == ["registration.on_behalf"]


async def test_after_the_deadline_staff_are_refused_like_the_registrant(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    clock.set(local(2022, 9, 2, 9, 0))

    with pytest.raises(RegistrationClosed):
        await register_on_behalf(seeded, await admin_of(seeded), ASI, form(1))


async def test_another_leaders_course_is_missing_and_nothing_is_written(
    seeded: ServiceContext,
) -> None:
    await add_move_course(seeded)
    admin_b = await add_other_organizer(seeded)
    mark = await outbox_mark(seeded)

    with pytest.raises(CourseNotFound) as foreign:
        await register_on_behalf(seeded, OTHER_LEADER, MOVE, form(1, format="digital"))
    with pytest.raises(CourseNotFound) as missing:
        await register_on_behalf(seeded, OTHER_LEADER, "finns-inte", form(1))
    with pytest.raises(CourseNotFound):
        await register_on_behalf(seeded, admin_b, MOVE, form(1, format="digital"))

    assert foreign.value.detail == missing.value.detail.replace("finns-inte", MOVE)
    assert await mails_since(seeded, mark) == []


# Cancelling for someone, with a reason ---------------------------------------------------------


async def test_cancelling_on_behalf_quotes_the_reason_in_the_mail_and_the_log(
    seeded: ServiceContext,
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    mark = await outbox_mark(seeded)

    await cancel_on_behalf(seeded, await admin_of(seeded), seated[0].id, reason="Ringde in sjuk.")

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [("cancelled", p, "CANCEL") for p in ALL_PARTS]
    assert {m.payload["reason"] for m in written} == {"Ringde in sjuk."}
    assert (await actions(seeded))[0].details["reason"] == "Ringde in sjuk."


# Moving between formats ------------------------------------------------------------------------


async def test_moving_to_a_format_with_room_moves_the_seat_and_updates_the_invites(
    seeded: ServiceContext,
) -> None:
    await add_move_course(seeded)
    (me,) = await in_ljungby(seeded, 1)
    before = await calendar_sequence(seeded, MOVE)
    mark = await outbox_mark(seeded)

    outcome = await move_to_format(seeded, await admin_of(seeded), me.id, "digital")

    assert outcome.status is RegistrationStatus.CONFIRMED
    assert await _seats(seeded) == {"ljungby": 0, "digital": 1}
    written = await mails_since(seeded, mark)
    assert addressed_to(written, me.id) == [
        ("format_changed", 1, "REQUEST"),
        ("format_changed", 2, "REQUEST"),
    ]
    assert written[0].payload["was"] == "på plats i Ljungby"
    assert await calendar_sequence(seeded, MOVE) > before
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.details["format"]) == ("registration.move", "digital")


async def test_a_full_format_is_refused_and_nothing_changes(seeded: ServiceContext) -> None:
    await add_move_course(seeded)
    await in_digital(seeded, 1, 2)
    (me,) = await in_ljungby(seeded, 3)
    mark = await outbox_mark(seeded)

    with pytest.raises(StaffConflict) as full:
        await move_to_format(seeded, await admin_of(seeded), me.id, "digital")

    assert full.value.detail.startswith("Formatet är fullbokat")
    assert await _seats(seeded) == {"ljungby": 1, "digital": 2}
    assert await mails_since(seeded, mark) == []


async def test_the_seat_freed_in_the_old_format_goes_to_its_waitlist(
    seeded: ServiceContext,
) -> None:
    await add_move_course(seeded)
    (me, _) = await in_digital(seeded, 1, 2)
    (waiting,) = await in_digital(seeded, 3)
    assert await _status(seeded, waiting.token) is RegistrationStatus.WAITLISTED

    outcome = await move_to_format(seeded, await admin_of(seeded), me.id, "ljungby")

    assert outcome.promoted == [waiting.id]
    assert await _status(seeded, waiting.token) is RegistrationStatus.CONFIRMED
    assert await _seats(seeded) == {"ljungby": 1, "digital": 2}


async def test_a_waitlisted_person_moved_to_a_format_with_room_is_promoted(
    seeded: ServiceContext,
) -> None:
    await add_move_course(seeded)
    await in_digital(seeded, 1, 2)
    (waiting,) = await in_digital(seeded, 3)

    outcome = await move_to_format(seeded, await admin_of(seeded), waiting.id, "ljungby")

    assert outcome.status is RegistrationStatus.CONFIRMED
    assert await _seats(seeded) == {"ljungby": 1, "digital": 2}


async def test_bad_moves_are_refused_in_swedish(seeded: ServiceContext) -> None:
    await add_move_course(seeded)
    (me,) = await in_ljungby(seeded, 1)
    admin = await admin_of(seeded)

    with pytest.raises(InvalidInput) as unknown:
        await move_to_format(seeded, admin, me.id, "manen")
    with pytest.raises(StaffConflict) as same:
        await move_to_format(seeded, admin, me.id, "ljungby")
    with pytest.raises(Forbidden):
        await move_to_format(seeded, LEADER, me.id, "digital")
    await cancel_on_behalf(seeded, admin, me.id)
    with pytest.raises(RegistrationNotFound):
        await move_to_format(seeded, admin, me.id, "digital")

    assert [e.field for e in unknown.value.errors] == ["format"]
    assert same.value.detail == "Deltagare 1 deltar redan på plats i Ljungby."


async def test_an_application_to_a_lottery_made_on_behalf_is_audited_in_its_transaction(
    seeded: ServiceContext,
) -> None:
    await add_lottery(seeded)

    receipt = await register_on_behalf(
        seeded, await admin_of(seeded), LOTTERY, form(1, format="digital")
    )

    assert receipt.status is RegistrationStatus.APPLIED
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.details) == (
        "registration.on_behalf",
        {"registration_id": receipt.id, "status": "applied"},
    )
