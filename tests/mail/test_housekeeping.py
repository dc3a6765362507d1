"""The jobs beside the mail worker: reminders when due, and forgetting old sent mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from courses.clock import FixedClock
from courses.domain.notices import OutboxStatus
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.housekeeping import KEEP_SENT, housekeeping
from courses.services.registration.register import register
from courses.storage.tables import outbox_table
from tests.conftest import form, local
from tests.mail.smtp_server import SmtpServer
from tests.mail.worker_scenarios import outbox_rows

LVM = "lvm-forelasning-2022"  # one session on 29 March 2022


async def test_housekeeping_deletes_only_sent_mail_older_than_the_keeping_time(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    old = await register(seeded, LVM, form(1))
    await worker.drain()
    clock.set(clock.now() + timedelta(days=10))
    recent = await register(seeded, LVM, form(2))
    await worker.drain()
    failed = await register(seeded, LVM, form(3))
    async with seeded.db.write() as conn:
        await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.registration_id == failed.id)
            .values(status=OutboxStatus.FAILED.value, last_error="550 nej")
        )
    clock.set(clock.now() + KEEP_SENT - timedelta(days=5))

    await housekeeping(seeded)

    left = {(row.registration_id, row.status) for row in await outbox_rows(seeded)}
    assert (old.id, "sent") not in left
    assert left == {(recent.id, "sent"), (failed.id, "failed")}


async def test_housekeeping_queues_the_reminders_that_are_due(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    await register(seeded, LVM, form(1))
    await worker.drain()
    clock.set(local(2022, 3, 27, 8, 0))  # two days before the session

    await housekeeping(seeded)
    await worker.drain()

    subjects = [str(m["Subject"]) for m in smtp.to("deltagare1@vaxjo.se")]
    assert len(subjects) == 2
    assert subjects[1].startswith("Påminnelse: LVM föreläsning")
