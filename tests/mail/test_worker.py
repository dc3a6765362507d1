"""The mail worker against a real SMTP server: outages, 4xx and 5xx answers, a worker killed
mid-batch, mails that stay undeliverable. On SQLite and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from courses.clock import FixedClock
from courses.mail.transport import (
    SmtpTransport,
)
from courses.mail.worker import GIVE_UP_AFTER, MailWorker, retry_delay
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from tests.conftest import form
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer
from tests.mail.worker_scenarios import (
    LVM,
    Watched,
    header_id,
    ids_by_recipient,
    kill_mid_batch,
    outbox_rows,
    register_people,
    smtp_worker,
)

# --- an SMTP outage --------------------------------------------------------------------------


async def test_mails_queued_while_smtp_is_down_wait_for_a_retry_and_none_fail(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    smtp.stop()
    await register_people(seeded, 50)

    result = await worker.run_once()

    assert (len(result.retried), result.sent, result.failed) == (50, [], [])
    rows = await outbox_rows(seeded)
    assert len(rows) == 50
    assert {row.status for row in rows} == {"pending"}
    assert {row.attempts for row in rows} == {1}
    assert {row.available_at for row in rows} == {clock.now() + retry_delay(1)}
    assert all(row.available_at > clock.now() for row in rows)
    assert all("Ingen förbindelse med SMTP-servern" in row.last_error for row in rows)


async def test_mails_waiting_for_a_retry_are_not_sent_before_their_delay(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    smtp.stop()
    await register_people(seeded, 3)
    await worker.run_once()
    smtp.start()

    result = await worker.drain()

    assert result.claimed == 0
    assert smtp.messages == []
    assert {row.status for row in await outbox_rows(seeded)} == {"pending"}


async def test_every_mail_queued_during_an_smtp_outage_is_delivered_exactly_once_after_it(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    smtp.stop()
    receipts = await register_people(seeded, 50)
    await worker.run_once()
    smtp.start()
    clock.set(clock.now() + retry_delay(1) + timedelta(seconds=1))

    result = await worker.drain()
    again = await worker.drain()

    rows = await outbox_rows(seeded)
    assert len(result.sent) == 50
    assert again.claimed == 0
    assert {row.status for row in rows} == {"sent"}
    received = smtp.message_ids()
    assert len(received) == 50
    assert set(received) == {header_id(row) for row in rows}
    by_recipient = ids_by_recipient(smtp.messages)
    assert sorted(by_recipient) == sorted(f"deltagare{n}@vaxjo.se" for n in range(50))
    assert all(len(ids) == 1 for ids in by_recipient.values())
    assert {row.registration_id for row in rows} == {receipt.id for receipt in receipts}


# --- answers from the server -----------------------------------------------------------------


async def test_451_and_421_are_retried_with_growing_delays_and_one_message_id(
    seeded: ServiceContext, smtp: SmtpServer, clock: FixedClock
) -> None:
    await register(seeded, LVM, form(1))
    [queued] = await outbox_rows(seeded)
    transport = Watched(SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT))
    worker = MailWorker(seeded, transport, name="test-worker")
    smtp.answer("451 4.3.0 Try later", "421 4.3.2 Service shutting down")

    first_try = clock.now()
    first = await worker.run_once()
    [after_first] = await outbox_rows(seeded)
    clock.set(after_first.available_at)
    second_try = clock.now()
    second = await worker.run_once()
    [after_second] = await outbox_rows(seeded)
    clock.set(after_second.available_at)
    later = await worker.drain()
    [after_third] = await outbox_rows(seeded)

    assert (first.retried, second.retried, later.sent) == ([queued.id], [queued.id], [queued.id])
    assert (after_first.status, after_first.attempts) == ("pending", 1)
    assert "451 4.3.0 Try later" in after_first.last_error
    assert after_first.available_at == first_try + retry_delay(1)
    assert (after_second.status, after_second.attempts) == ("pending", 2)
    assert "421 4.3.2 Service shutting down" in after_second.last_error
    assert after_second.available_at == second_try + retry_delay(2)
    assert retry_delay(1) < retry_delay(2)
    assert (after_third.status, after_third.attempts, after_third.last_error) == ("sent", 3, None)
    assert transport.attempted == [header_id(queued)] * 3
    assert smtp.message_ids() == [header_id(queued)]
    assert {row.message_id for row in (after_first, after_second, after_third)} == {
        queued.message_id
    }


def test_retry_delay_grows_and_is_capped_at_an_hour() -> None:
    delays = [retry_delay(attempts) for attempts in range(1, 12)]

    assert delays[0] == timedelta(seconds=30)
    assert delays == sorted(delays)
    assert delays[1] > delays[0]
    assert delays[-1] == timedelta(hours=1)


async def test_550_marks_the_mail_failed_at_once_with_the_servers_words_and_never_retries(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    await register(seeded, LVM, form(1))
    smtp.answer("550 5.1.1 Mailbox unavailable")

    result = await worker.run_once()
    clock.set(clock.now() + timedelta(days=1))
    later = await worker.drain()

    [row] = await outbox_rows(seeded)
    assert result.failed == [row.id]
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550 5.1.1 Mailbox unavailable" in row.last_error
    assert later.claimed == 0
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [("451 4.3.0 Try later", "pending"), ("550 5.1.1 Mailbox unavailable", "failed")],
)
async def test_a_refused_mail_does_not_hold_back_the_rest_of_its_batch(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, answer: str, outcome: str
) -> None:
    await register_people(seeded, 3)
    smtp.answer(answer)

    result = await worker.run_once()

    rows = await outbox_rows(seeded)
    assert [row.status for row in rows] == [outcome, "sent", "sent"]
    assert len(result.sent) == 2
    assert answer in rows[0].last_error
    assert sorted(smtp.message_ids()) == sorted(header_id(row) for row in rows[1:])


async def test_a_mail_still_failing_temporarily_after_three_days_ends_as_failed(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    smtp.stop()
    await register(seeded, LVM, form(1))
    queued_at = clock.now()

    await worker.run_once()
    clock.set(queued_at + timedelta(days=2))
    two_days = await worker.run_once()
    [after_two_days] = await outbox_rows(seeded)
    clock.set(queued_at + GIVE_UP_AFTER)
    three_days = await worker.run_once()
    [row] = await outbox_rows(seeded)

    assert len(two_days.retried) == 1
    assert after_two_days.status == "pending"
    assert three_days.failed == [row.id]
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error.startswith("Gav upp efter 3 försök: Ingen förbindelse med SMTP-servern")


# --- a worker killed mid-batch ---------------------------------------------------------------


async def test_a_worker_killed_mid_batch_leaves_its_rows_until_its_lease_runs_out(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await register_people(seeded, 8)
    transport = Watched(SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), hang_after=3)
    killed = MailWorker(seeded, transport, name="killed")
    await kill_mid_batch(killed, transport)

    early = await smtp_worker(seeded, smtp, "next").drain()

    assert early.claimed == 0
    rows = await outbox_rows(seeded)
    assert {(row.status, row.claimed_by) for row in rows} == {("sending", "killed")}
    assert len(smtp.messages) == 3


async def test_the_next_worker_delivers_what_a_killed_worker_left_with_the_same_message_ids(
    seeded: ServiceContext, smtp: SmtpServer, clock: FixedClock
) -> None:
    await register_people(seeded, 8)
    transport = Watched(SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), hang_after=3)
    killed = MailWorker(seeded, transport, name="killed")
    await kill_mid_batch(killed, transport)
    first_deliveries = ids_by_recipient(smtp.messages)
    clock.set(clock.now() + killed.lease + timedelta(seconds=1))

    result = await smtp_worker(seeded, smtp, "next").drain()

    rows = await outbox_rows(seeded)
    assert len(result.sent) == 8
    assert {(row.status, row.claimed_by) for row in rows} == {("sent", "next")}
    assert len(first_deliveries) == 3
    by_recipient = ids_by_recipient(smtp.messages)
    assert sorted(by_recipient) == sorted(f"deltagare{n}@vaxjo.se" for n in range(8))
    # At least once: a message may arrive twice, but always as the same message.
    assert all(len(set(ids)) == 1 for ids in by_recipient.values())
    for address, ids in first_deliveries.items():
        assert set(by_recipient[address]) == set(ids)
    assert Counter(smtp.message_ids()) <= Counter({header_id(row): 2 for row in rows})
    assert set(smtp.message_ids()) == {header_id(row) for row in rows}


async def test_each_batch_goes_over_one_smtp_connection(
    seeded: ServiceContext, smtp: SmtpServer
) -> None:
    await register_people(seeded, 25)
    worker = MailWorker(
        seeded,
        SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT),
        name="batches",
        batch_size=10,
        lanes=1,
    )

    result = await worker.drain()

    assert len(result.sent) == 25
    per_connection = Counter(smtp.peers)
    assert sorted(per_connection.values()) == [5, 10, 10]
