"""A registration waiting for its manager that ends without the manager's answer (the
registrant cancels it, an admin does, or the course is cancelled) tells the manager, without
a link: service call -> outbox -> worker -> real SMTP."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from courses.clock import FixedClock
from courses.mail.worker import MailWorker
from courses.services.approval.answers import approval_view, decline, remind_due
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.on_behalf import cancel_on_behalf
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.course_edits import cancel_course
from tests.approval_support import (
    APPROVAL,
    MANAGER,
    add_approval_course,
    approval_form,
    approval_token,
)
from tests.conftest import local
from tests.mail import parse
from tests.mail.scenarios import deliver
from tests.mail.smtp_server import SmtpServer
from tests.services.admin_support import admin_of

NO_LONGER = "Anmälan behöver inte längre ditt godkännande"
SUBJECT = f"{NO_LONGER}: Deltagare 1 till MI fördjupning"


async def _pending(ctx: ServiceContext, worker: MailWorker) -> RegistrationReceipt:
    await add_approval_course(ctx)
    receipt = await register(ctx, APPROVAL, approval_form(1))
    await deliver(worker)
    return receipt


def _told(smtp: SmtpServer) -> EmailMessage:
    """The manager's last mail, after the request: the one saying no answer is needed."""
    asked, *rest = smtp.to(MANAGER)
    assert str(asked["Subject"]).startswith("Godkänn anmälan")
    assert len(rest) == 1, [str(m["Subject"]) for m in rest]
    return rest[0]


def _without_links(told: EmailMessage) -> None:
    for body in (parse.text(told), parse.html(told)):
        assert NO_LONGER in body
        assert "/godkann/" not in body
        assert "/anmalan/" not in body  # the registrant's own link is theirs alone


async def test_the_manager_is_told_when_the_registrant_cancels(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await _pending(seeded, worker)
    token = await approval_token(seeded, receipt.id)

    await cancel_registration(seeded, receipt.token)
    await deliver(worker)

    told = _told(smtp)
    assert str(told["Subject"]) == SUBJECT
    assert "Deltagare 1 har själv avanmält sig från MI fördjupning" in parse.text(told)
    _without_links(told)
    view = await approval_view(seeded, token)
    assert not view.open  # the manager's page no longer offers the buttons


async def test_the_manager_is_told_when_an_admin_cancels(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await _pending(seeded, worker)

    await cancel_on_behalf(seeded, await admin_of(seeded), receipt.id)
    await deliver(worker)

    told = _told(smtp)
    assert str(told["Subject"]) == SUBJECT
    assert "utbildningsadministratören har avanmält Deltagare 1" in parse.text(told)
    _without_links(told)


async def test_the_manager_is_told_when_the_course_is_cancelled_and_not_reminded(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    await _pending(seeded, worker)

    await cancel_course(seeded, await admin_of(seeded), APPROVAL)
    await deliver(worker)
    clock.set(local(2022, 3, 5, 12, 0))  # past the middle of the manager's seven days
    reminders = await remind_due(seeded)
    await deliver(worker)

    told = _told(smtp)
    assert "kursen MI fördjupning är inställd" in parse.text(told)
    _without_links(told)
    assert reminders == 0


async def test_a_reminder_still_goes_out_on_a_course_that_runs(
    seeded: ServiceContext, worker: MailWorker, clock: FixedClock
) -> None:
    # Control for the test above: the same clock reminds when the course is not cancelled.
    await _pending(seeded, worker)
    clock.set(local(2022, 3, 5, 12, 0))
    assert await remind_due(seeded) == 1


async def test_the_managers_own_decline_brings_them_no_such_mail(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await _pending(seeded, worker)

    await decline(seeded, await approval_token(seeded, receipt.id))
    await deliver(worker)

    assert [str(m["Subject"]) for m in smtp.to(MANAGER)] == [
        "Godkänn anmälan: Deltagare 1 till MI fördjupning"
    ]


@pytest.mark.parametrize("by_admin", [False, True])
async def test_a_waitlisted_registrants_manager_was_never_asked_and_hears_nothing(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, by_admin: bool
) -> None:
    await add_approval_course(seeded)
    for n in (1, 2):
        await register(seeded, APPROVAL, approval_form(n, manager_email="chef.annan@vaxjo.se"))
    waiting = await register(seeded, APPROVAL, approval_form(3))
    await deliver(worker)
    assert smtp.to(MANAGER) == []

    if by_admin:
        await cancel_on_behalf(seeded, await admin_of(seeded), waiting.id)
    else:
        await cancel_registration(seeded, waiting.token)
    await deliver(worker)

    assert smtp.to(MANAGER) == []
