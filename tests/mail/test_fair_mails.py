"""Fair seats in the mails: why someone waits, and the invite when the share ends (service ->
outbox -> worker -> real SMTP server)."""

from __future__ import annotations

from courses.clock import FixedClock
from courses.mail.worker import MailWorker
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.services.seats.share_release import release_ended_shares
from tests.conftest import form, local
from tests.fair_support import FAIR, REASON, fair_course
from tests.mail import parse
from tests.mail.scenarios import deliver
from tests.mail.smtp_server import SmtpServer


async def test_a_registrant_waitlisted_by_the_share_is_told_why(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await import_schedule(seeded, parse_schedule(fair_course()))
    await register(seeded, FAIR, form(1))
    await register(seeded, FAIR, form(2))

    await deliver(worker)

    (message,) = smtp.to("deltagare2@vaxjo.se")
    assert str(message["Subject"]) == "Reservlista: Rättvis kurs"
    assert REASON in parse.text(message)
    assert REASON in parse.html(message)
    assert "Kursen är fullbokad" not in parse.text(message)
    assert "Du står på reservlistan som nummer 1." in parse.text(message)


async def test_when_the_share_ends_the_promoted_registrant_gets_the_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    await import_schedule(seeded, parse_schedule(fair_course()))
    await register(seeded, FAIR, form(1))
    await register(seeded, FAIR, form(2))
    await deliver(worker)
    clock.set(local(2022, 8, 26, 0, 5))

    assert await release_ended_shares(seeded) == 1
    await deliver(worker)

    promoted = smtp.to("deltagare2@vaxjo.se")[1:]
    assert promoted
    assert parse.calendar_part(promoted[0]) is not None
    assert "Rättvis kurs" in str(promoted[0]["Subject"])
