"""Manager approval over time, against a real database (SQLite and PostgreSQL): the reminder
half-way, the expiry (once, whoever runs it), and the purge of the manager's address."""

from __future__ import annotations

import asyncio

import pytest

from courses.clock import FixedClock
from courses.domain.approval import ApprovalAnswered
from courses.domain.errors import RegistrationNotFound
from courses.domain.rules import RegistrationStatus
from courses.services.approval.answers import (
    approval_round,
    approval_view,
    approve,
    expire_due,
    remind_due,
)
from courses.services.catalogue.listing import get_course
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.services.registration.register import register
from courses.services.retention.purge import purge
from tests.approval_support import (
    APPROVAL,
    add_approval_course,
    approval_form,
    approval_token,
)
from tests.conftest import local
from tests.services.outbox_rows import addressed_to, mails_since, outbox_mark
from tests.services.retention_support import personal_data_left


@pytest.fixture
async def course(seeded: ServiceContext) -> ServiceContext:
    await add_approval_course(seeded)
    return seeded


async def test_the_manager_is_reminded_once_half_way(
    course: ServiceContext, clock: FixedClock
) -> None:
    receipt = await register(course, APPROVAL, approval_form(1))
    mark = await outbox_mark(course)

    clock.set(local(2022, 3, 5, 4, 59))  # asked 1 March 10.00, due 9 March 00.00
    assert await remind_due(course) == 0
    clock.set(local(2022, 3, 5, 5, 0))
    assert await remind_due(course) == 1
    assert await remind_due(course) == 0
    assert await approval_round(course) == 0

    assert addressed_to(await mails_since(course, mark), receipt.id) == [
        ("approval_reminder", None, None)
    ]


async def test_no_answer_in_time_cancels_and_promotes(
    course: ServiceContext, clock: FixedClock
) -> None:
    first = await register(course, APPROVAL, approval_form(1))
    second = await register(course, APPROVAL, approval_form(2))
    waiting = await register(course, APPROVAL, approval_form(3))
    await approve(course, await approval_token(course, second.id))
    token = await approval_token(course, first.id)

    clock.set(local(2022, 3, 8, 23, 59))
    assert await expire_due(course) == 0
    assert (await approval_view(course, token)).open
    clock.set(local(2022, 3, 9, 0, 0))
    mark = await outbox_mark(course)
    assert not (await approval_view(course, token)).open
    with pytest.raises(ApprovalAnswered):
        await approve(course, token)  # too late, even before the worker's round
    assert await expire_due(course) == 1
    assert await expire_due(course) == 0

    assert (await get_registration(course, first.token)).status is RegistrationStatus.CANCELLED
    promoted = await get_registration(course, waiting.token)
    assert promoted.status is RegistrationStatus.PENDING_APPROVAL
    assert promoted.approval_due_at == local(2022, 3, 17)
    assert addressed_to(await mails_since(course, mark), first.id) == [
        ("approval_expired", None, None)
    ]


async def test_a_purge_forgets_the_manager_and_kills_the_approval_link(
    course: ServiceContext, clock: FixedClock
) -> None:
    receipt = await register(course, APPROVAL, approval_form(1, manager_email="vera.chef@vaxjo.se"))
    token = await approval_token(course, receipt.id)
    async with course.db.read() as conn:
        assert await personal_data_left(conn, ["vera.chef"])  # control: stored before

    clock.set(local(2023, 5, 11, 3, 0))  # 366 days after the course's only session
    await purge(course)

    async with course.db.read() as conn:
        assert await personal_data_left(conn, ["vera.chef"]) == []
    with pytest.raises(RegistrationNotFound):
        await approval_view(course, token)


async def test_two_workers_expiring_at_once_cancel_and_promote_once(
    course: ServiceContext, clock: FixedClock
) -> None:
    first = await register(course, APPROVAL, approval_form(1))
    await register(course, APPROVAL, approval_form(2))
    waiting = await register(course, APPROVAL, approval_form(3))
    clock.set(local(2022, 3, 9, 0, 0))
    mark = await outbox_mark(course)

    counts = await asyncio.gather(expire_due(course), expire_due(course))

    assert sum(counts) == 2  # however the two split the work, each one is done once
    mails = await mails_since(course, mark)
    assert [m.kind for m in mails if m.registration_id == first.id] == ["approval_expired"]
    assert [m.kind for m in mails if m.registration_id == waiting.id] == [
        "awaiting_approval",
        "approval_request",
    ]
    assert (await get_course(course, APPROVAL)).course.seats_left == 1
