"""What the approval mails say and to whom: service call -> outbox -> worker -> real SMTP."""

from __future__ import annotations

import re

from courses.clock import FixedClock
from courses.mail.worker import MailWorker
from courses.services.approval.answers import approve, decline, expire_due, remind_due
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from tests.approval_support import (
    APPROVAL,
    MANAGER,
    add_approval_course,
    approval_form,
    approval_token,
)
from tests.conftest import local
from tests.mail import parse
from tests.mail.scenarios import deliver, method_param
from tests.mail.smtp_server import SmtpServer

REGISTRANT = "deltagare1@vaxjo.se"


async def _pending(ctx: ServiceContext, n: int = 1) -> tuple[int, str]:
    await add_approval_course(ctx)
    receipt = await register(ctx, APPROVAL, approval_form(n))
    return receipt.id, await approval_token(ctx, receipt.id)


async def test_the_manager_and_the_registrant_each_hear_their_part(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    _, token = await _pending(seeded)

    await deliver(worker)

    (asked,) = smtp.to(MANAGER)
    assert str(asked["Subject"]) == "Godkänn anmälan: Deltagare 1 till MI fördjupning"
    for body in (parse.text(asked), parse.html(asked)):
        assert f"http://kurser.test/godkann/{token}" in body
        assert "till och med 8 mars 2022" in body
        assert "Beroendemottagningen" in body
        assert "/anmalan/" not in body  # the registrant's own link is theirs alone
    assert method_param(asked) is None
    (waiting,) = smtp.to(REGISTRANT)
    assert str(waiting["Subject"]) == (
        "Din anmälan väntar på din chefs godkännande: MI fördjupning"
    )
    assert f"Vi har mejlat din chef ({MANAGER})" in parse.text(waiting)
    assert "senast 8 mars 2022" in parse.text(waiting)
    assert re.search(r"http://kurser\.test/anmalan/[\w-]+", parse.text(waiting))


async def test_approval_brings_the_confirmation_with_the_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    _, token = await _pending(seeded)
    await deliver(worker)

    await approve(seeded, token)
    await deliver(worker)

    confirmation = smtp.to(REGISTRANT)[-1]
    assert str(confirmation["Subject"]) == "Din chef har godkänt din anmälan: MI fördjupning"
    assert method_param(confirmation) == "REQUEST"
    assert "SUMMARY:MI fördjupning" in parse.unfolded_ics(confirmation)


async def test_a_decline_and_an_expiry_are_told_to_the_registrant(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    _, token = await _pending(seeded, 1)
    await register(seeded, APPROVAL, approval_form(2))
    await deliver(worker)

    await decline(seeded, token)
    clock.set(local(2022, 3, 9, 0, 0))
    await expire_due(seeded)
    await deliver(worker)

    declined = smtp.to(REGISTRANT)[-1]
    assert str(declined["Subject"]) == "Din chef har inte godkänt din anmälan: MI fördjupning"
    assert "/anmalan/" not in parse.text(declined)
    expired = smtp.to("deltagare2@vaxjo.se")[-1]
    assert str(expired["Subject"]) == "Din anmälan har tagits bort: MI fördjupning"
    assert "svarade inte i tid" in parse.text(expired)


async def test_the_reminder_goes_to_the_manager_with_the_link(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    _, token = await _pending(seeded)
    await deliver(worker)

    clock.set(local(2022, 3, 5, 12, 0))
    assert await remind_due(seeded) == 1
    await deliver(worker)

    reminder = smtp.to(MANAGER)[-1]
    assert str(reminder["Subject"]).startswith("Påminnelse: godkänn anmälan av Deltagare 1")
    assert f"http://kurser.test/godkann/{token}" in parse.text(reminder)
