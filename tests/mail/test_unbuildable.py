"""A mail that cannot be built fails at once and visibly, instead of waiting three days.

Building it again would fail the same way: an address the mailer refuses (stored before the
API checked addresses as strictly as the mailer) or a payload that does not fit its kind.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import update

from courses.domain.notices import OutboxStatus
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.outbox.delivery import mail_counts
from courses.services.registration.register import register
from courses.storage.tables import outbox_table, registration_table
from tests.conftest import form
from tests.mail.smtp_server import SmtpServer
from tests.mail.worker_scenarios import LVM, outbox_rows


async def store_address(ctx: ServiceContext, registration_id: int, email: str) -> None:
    async with ctx.db.write() as conn:
        await conn.execute(
            update(registration_table)
            .where(registration_table.c.id == registration_id)
            .values(email=email)
        )


async def test_an_address_the_mailer_refuses_fails_its_mail_at_once_and_the_batch_goes_on(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    broken = await register(seeded, LVM, form(1))
    fine = await register(seeded, LVM, form(2))
    await store_address(seeded, broken.id, "anna\x1b.svensson@vaxjo.se")

    result = await worker.drain()

    assert (len(result.sent), len(result.failed), result.retried) == (1, 1, [])
    by_registration = {row.registration_id: row for row in await outbox_rows(seeded)}
    assert by_registration[fine.id].status == "sent"
    assert by_registration[broken.id].status == "failed"
    assert by_registration[broken.id].last_error.startswith("Kunde inte byggas")
    assert (await mail_counts(seeded))[OutboxStatus.FAILED] == 1
    assert [m["To"] for m in smtp.messages] == ["Deltagare 2 <deltagare2@vaxjo.se>"]


async def test_a_payload_that_does_not_fit_its_kind_fails_at_once(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await register(seeded, LVM, form(1))
    async with seeded.db.write() as conn:
        await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.registration_id == receipt.id)
            .values(payload={"waitlist_position": "tredje"})
        )

    result = await worker.drain()

    assert (result.sent, len(result.failed), result.retried) == ([], 1, [])
    (row,) = await outbox_rows(seeded)
    assert row.status == "failed"
    assert "passar inte" in row.last_error
    assert smtp.messages == []
