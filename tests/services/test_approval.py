"""Manager approval against a real database (SQLite and PostgreSQL): pending holds the seat,
approve confirms, decline and expiry cancel and promote, each transition happens once."""

from __future__ import annotations

import asyncio

import pytest

from courses.domain.approval import ApprovalAnswered
from courses.domain.errors import InvalidInput, NotEligible, RegistrationNotFound
from courses.domain.rules import RegistrationStatus
from courses.schedule import parse_schedule
from courses.services.approval.answers import (
    approval_view,
    approve,
    decline,
)
from courses.services.catalogue.listing import get_course
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.registration.on_behalf import cancel_on_behalf
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.approval_support import (
    APPROVAL,
    APPROVAL_COURSE,
    MANAGER,
    add_approval_course,
    approval_form,
    approval_token,
)
from tests.conftest import ASI, form, local
from tests.services.admin_support import admin_of
from tests.services.outbox_rows import addressed_to, mails_since, outbox_mark


@pytest.fixture
async def course(seeded: ServiceContext) -> ServiceContext:
    await add_approval_course(seeded)
    return seeded


async def test_a_registration_with_a_seat_waits_for_the_manager_and_holds_it(
    course: ServiceContext,
) -> None:
    receipt = await register(course, APPROVAL, approval_form(1))

    assert receipt.status is RegistrationStatus.PENDING_APPROVAL
    details = await get_registration(course, receipt.token)
    assert details.status is RegistrationStatus.PENDING_APPROVAL
    assert details.manager_email == MANAGER
    assert details.approval_due_at == local(2022, 3, 9)
    assert (await get_course(course, APPROVAL)).course.seats_left == 1
    assert addressed_to(await mails_since(course), receipt.id) == [
        ("awaiting_approval", None, None),
        ("approval_request", None, None),
    ]


async def test_the_manager_address_is_required_and_must_be_at_the_employer(
    course: ServiceContext,
) -> None:
    with pytest.raises(InvalidInput) as missing:
        await register(course, APPROVAL, form(1))
    assert [e.field for e in missing.value.errors] == ["manager_email"]

    with pytest.raises(NotEligible) as elsewhere:
        await register(course, APPROVAL, approval_form(1, manager_email="chef@ljungby.se"))
    assert elsewhere.value.field == "manager_email"
    assert "Växjö kommun" in elsewhere.value.detail

    with pytest.raises(NotEligible) as own:
        await register(course, APPROVAL, approval_form(1, manager_email="deltagare1@vaxjo.se"))
    assert own.value.field == "manager_email"


async def test_a_course_without_approval_ignores_a_manager_address(course: ServiceContext) -> None:
    receipt = await register(course, ASI, approval_form(1))

    assert receipt.status is RegistrationStatus.CONFIRMED
    assert (await get_registration(course, receipt.token)).manager_email is None


async def test_approving_confirms_with_the_invite_and_acts_once(course: ServiceContext) -> None:
    receipt = await register(course, APPROVAL, approval_form(1))
    token = await approval_token(course, receipt.id)
    mark = await outbox_mark(course)

    view = await approve(course, token)
    with pytest.raises(ApprovalAnswered):
        await approve(course, token)
    with pytest.raises(ApprovalAnswered):
        await decline(course, token)

    assert view.status is RegistrationStatus.CONFIRMED
    assert not view.open
    assert (await get_registration(course, receipt.token)).status is RegistrationStatus.CONFIRMED
    assert addressed_to(await mails_since(course, mark), receipt.id) == [("approved", 1, "REQUEST")]
    assert (await get_course(course, APPROVAL)).course.seats_left == 1


async def test_two_approvals_at_once_act_once(course: ServiceContext) -> None:
    receipt = await register(course, APPROVAL, approval_form(1))
    token = await approval_token(course, receipt.id)
    mark = await outbox_mark(course)

    results = await asyncio.gather(
        approve(course, token), approve(course, token), return_exceptions=True
    )

    assert sorted(type(r).__name__ for r in results) == ["ApprovalAnswered", "ApprovalView"]
    assert len(await mails_since(course, mark, kind="approved")) == 1


async def test_the_page_view_changes_nothing(course: ServiceContext) -> None:
    receipt = await register(course, APPROVAL, approval_form(1))
    token = await approval_token(course, receipt.id)

    view = await approval_view(course, token)

    assert view.open
    assert (view.name, view.email, view.last_day) == (
        "Deltagare 1",
        "deltagare1@vaxjo.se",
        "8 mars 2022",
    )
    assert (await get_registration(course, receipt.token)).status is (
        RegistrationStatus.PENDING_APPROVAL
    )
    with pytest.raises(RegistrationNotFound):
        await approval_view(course, "okand-lank")
    with pytest.raises(RegistrationNotFound):
        await approval_view(course, receipt.token)  # the registrant's link is not the manager's


async def test_declining_frees_the_seat_and_the_next_waits_for_their_manager(
    course: ServiceContext,
) -> None:
    first = await register(course, APPROVAL, approval_form(1))
    await register(course, APPROVAL, approval_form(2))
    waiting = await register(course, APPROVAL, approval_form(3, manager_email="boss@vaxjo.se"))
    assert waiting.status is RegistrationStatus.WAITLISTED
    mark = await outbox_mark(course)

    view = await decline(course, await approval_token(course, first.id))

    assert view.status is RegistrationStatus.CANCELLED
    assert (await get_registration(course, first.token)).status is RegistrationStatus.CANCELLED
    promoted = await get_registration(course, waiting.token)
    assert promoted.status is RegistrationStatus.PENDING_APPROVAL
    assert promoted.manager_email == "boss@vaxjo.se"
    mails = await mails_since(course, mark)
    assert addressed_to(mails, first.id) == [("declined", None, None)]
    assert addressed_to(mails, waiting.id) == [
        ("awaiting_approval", None, None),
        ("approval_request", None, None),
    ]
    assert next(m for m in mails if m.kind == "awaiting_approval").payload == {"promoted": True}
    assert (await get_course(course, APPROVAL)).course.seats_left == 0
    with pytest.raises(ApprovalAnswered):
        await decline(course, await approval_token(course, first.id))


async def test_a_registrant_cancelling_while_pending_frees_the_seat(
    course: ServiceContext,
) -> None:
    first = await register(course, APPROVAL, approval_form(1))
    await register(course, APPROVAL, approval_form(2))
    waiting = await register(course, APPROVAL, approval_form(3))

    promoted = await cancel_registration(course, first.token)

    assert promoted == [waiting.id]
    assert (await get_registration(course, waiting.token)).status is (
        RegistrationStatus.PENDING_APPROVAL
    )
    with pytest.raises(ApprovalAnswered):
        await approve(course, await approval_token(course, first.id))


async def test_a_cancelled_course_needs_no_answer(course: ServiceContext) -> None:
    receipt = await register(course, APPROVAL, approval_form(1))
    token = await approval_token(course, receipt.id)
    await add_approval_course(
        course,
        APPROVAL_COURSE.replace(
            'approval = "manager"', 'approval = "manager"\nstatus = "cancelled"'
        ),
    )

    view = await approval_view(course, token)
    with pytest.raises(ApprovalAnswered):
        await approve(course, token)

    assert view.course_cancelled
    assert not view.open


async def test_an_import_that_changes_the_answer_days_reports_it(course: ServiceContext) -> None:
    changed = APPROVAL_COURSE.replace("approval_days = 7", "approval_days = 3")

    report = await import_schedule(course, parse_schedule(changed))

    (item,) = [i for i in report.items if i.key == APPROVAL]
    assert item.changes == ["chefsgodkännande (dagar att svara): 7 → 3"]
    receipt = await register(course, APPROVAL, approval_form(1))
    assert (await get_registration(course, receipt.token)).approval_due_at == local(2022, 3, 5)


async def test_an_admin_cancelling_a_pending_one_promotes_the_next_to_pending(
    course: ServiceContext,
) -> None:
    first = await register(course, APPROVAL, approval_form(1))
    await register(course, APPROVAL, approval_form(2))
    waiting = await register(course, APPROVAL, approval_form(3))

    outcome = await cancel_on_behalf(course, await admin_of(course), first.id)

    assert outcome.promoted == [waiting.id]
    assert (await get_registration(course, waiting.token)).status is (
        RegistrationStatus.PENDING_APPROVAL
    )
    assert (await get_course(course, APPROVAL)).course.seats_left == 0


async def test_someone_waiting_since_before_approval_was_asked_is_promoted_as_before(
    seeded: ServiceContext,
) -> None:
    without = APPROVAL_COURSE.replace('approval = "manager"\napproval_days = 7\n', "")
    await add_approval_course(seeded, without)
    seated = [await register(seeded, APPROVAL, form(n)) for n in (1, 2)]
    waiting = await register(seeded, APPROVAL, form(3))
    await add_approval_course(seeded)  # the course now asks managers
    mark = await outbox_mark(seeded)

    promoted = await cancel_registration(seeded, seated[0].token)

    assert promoted == [waiting.id]
    assert (await get_registration(seeded, waiting.token)).status is RegistrationStatus.CONFIRMED
    assert [m.kind for m in await mails_since(seeded, mark) if m.registration_id == waiting.id] == [
        "promoted"
    ]
