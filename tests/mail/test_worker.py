"""The mail worker against a real SMTP server: outages, 4xx and 5xx answers, a worker killed
mid-batch, mails that stay undeliverable, the `.eml` folder, and the `worker` and `mail-status`
commands. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from courses.cli import main
from courses.clock import FixedClock
from courses.mail.message import Outgoing
from courses.mail.transport import (
    Connection,
    FileTransport,
    SmtpTransport,
    Transport,
    transport_for,
)
from courses.mail.worker import GIVE_UP_AFTER, MailWorker, retry_delay
from courses.schedule import Schedule
from courses.services.context import ServiceContext
from courses.services.registration import RegistrationReceipt, register
from courses.services.schedule_import import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.tables import outbox_table
from tests.conftest import form, local
from tests.mail.parse import text
from tests.mail.smtp_server import SmtpServer

LVM = "lvm-forelasning-2022"  # uncapped, one session: one outbox row per confirmation
DOMAIN = "localhost"  # of the default mail_from, utbildning@localhost


# --- helpers ---------------------------------------------------------------------------------


async def register_people(ctx: ServiceContext, count: int) -> list[RegistrationReceipt]:
    return [await register(ctx, LVM, form(n)) for n in range(count)]


async def outbox_rows(ctx: ServiceContext) -> list[Any]:
    async with ctx.db.read() as conn:
        result = await conn.execute(select(outbox_table).order_by(outbox_table.c.id))
        return list(result.all())


def header_id(row: Any) -> str:
    """The Message-ID header the row's message carries, on every attempt."""
    return f"<{row.message_id}@{DOMAIN}>"


def recipient(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def ids_by_recipient(messages: Sequence[EmailMessage]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for message in messages:
        found[recipient(message)].append(str(message["Message-ID"]))
    return dict(found)


def smtp_worker(ctx: ServiceContext, smtp: SmtpServer, name: str) -> MailWorker:
    return MailWorker(ctx, SmtpTransport(smtp.url, timeout=5), name=name)


class _Watched:
    def __init__(self, inner: Connection, transport: Watched) -> None:
        self._inner = inner
        self._transport = transport

    async def send(self, mail: Outgoing) -> None:
        transport = self._transport
        transport.attempted.append(mail.message_id)
        if transport.hang_after is not None and transport.delivered >= transport.hang_after:
            transport.hanging.set()
            await asyncio.Event().wait()  # until the worker is killed
        await self._inner.send(mail)
        transport.delivered += 1


class Watched:
    """The real transport, seen from the worker's side: records the Message-ID of every message
    it is handed and, with `hang_after`, hangs after that many deliveries so that the test can
    kill the worker in the middle of a batch."""

    def __init__(self, inner: Transport, *, hang_after: int | None = None) -> None:
        self.inner = inner
        self.hang_after = hang_after
        self.attempted: list[str] = []
        self.delivered = 0
        self.hanging = asyncio.Event()

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Connection]:
        async with self.inner.connect() as connection:
            yield _Watched(connection, self)

    def connect(self) -> AbstractAsyncContextManager[Connection]:
        return self._connect()


async def kill_mid_batch(worker: MailWorker, transport: Watched) -> None:
    """Run one batch until the transport hangs, then cancel it as a killed process would stop."""
    task = asyncio.create_task(worker.run_once())
    await asyncio.wait_for(transport.hanging.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


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
    transport = Watched(SmtpTransport(smtp.url, timeout=5))
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
    transport = Watched(SmtpTransport(smtp.url, timeout=5), hang_after=3)
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
    transport = Watched(SmtpTransport(smtp.url, timeout=5), hang_after=3)
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


# --- no SMTP server: .eml files --------------------------------------------------------------


def read_eml(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def test_without_smtp_each_mail_is_one_readable_eml_file_in_the_folder(
    seeded: ServiceContext, tmp_path: Path
) -> None:
    folder = tmp_path / "mail-out"
    transport = transport_for(replace(seeded.settings, smtp_url=None, mail_dir=folder))
    assert isinstance(transport, FileTransport)
    await register_people(seeded, 3)

    result = await MailWorker(seeded, transport, name="files").drain()

    rows = await outbox_rows(seeded)
    files = sorted(folder.iterdir())
    assert len(result.sent) == 3
    assert [path.suffix for path in files] == [".eml"] * 3
    messages = [read_eml(path) for path in files]
    assert {str(m["Message-ID"]) for m in messages} == {header_id(row) for row in rows}
    assert {recipient(m) for m in messages} == {f"deltagare{n}@vaxjo.se" for n in range(3)}
    assert all("LVM föreläsning" in text(m) for m in messages)


async def test_a_repeated_mail_overwrites_its_eml_file_instead_of_adding_one(
    seeded: ServiceContext, tmp_path: Path, clock: FixedClock
) -> None:
    folder = tmp_path / "mail-out"
    await register_people(seeded, 3)
    transport = Watched(FileTransport(folder), hang_after=2)
    killed = MailWorker(seeded, transport, name="killed")
    await kill_mid_batch(killed, transport)
    written_before = sorted(path.name for path in folder.iterdir())
    clock.set(clock.now() + killed.lease + timedelta(seconds=1))

    result = await MailWorker(seeded, FileTransport(folder), name="next").drain()

    rows = await outbox_rows(seeded)
    files = sorted(folder.iterdir())
    assert len(written_before) == 2
    assert len(result.sent) == 3
    assert len(files) == 3
    assert set(written_before) <= {path.name for path in files}
    assert sorted(str(read_eml(path)["Message-ID"]) for path in files) == sorted(
        header_id(row) for row in rows
    )


# --- the command line ------------------------------------------------------------------------


def point_cli_at(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("COURSES_") and name != "COURSES_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COURSES_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)


def prepare(
    url: str,
    schedule: Schedule,
    *,
    smtp: SmtpServer | None = None,
    sent: int = 0,
    refused: int = 0,
    waiting: int = 0,
) -> None:
    """Seed the database, then: `refused` mails refused with 550 and `sent` delivered through
    `smtp`, and `waiting` more queued but not sent."""

    async def arrange() -> None:
        db = Database.from_url(url)
        try:
            settings = Settings(database_url=url, base_url="http://kurser.test")
            ctx = ServiceContext(db=db, clock=FixedClock(local(2022, 3, 1, 10)), settings=settings)
            await import_schedule(ctx, schedule)
            people = iter(range(1000))
            for _ in range(sent + refused):
                await register(ctx, LVM, form(next(people)))
            if smtp is not None:
                smtp.answer(*["550 5.1.1 Mailbox unavailable"] * refused)
                await smtp_worker(ctx, smtp, "cli-test").drain()
            for _ in range(waiting):
                await register(ctx, LVM, form(next(people)))
        finally:
            await db.dispose()

    asyncio.run(arrange())


def test_mail_status_counts_waiting_and_failed_mails_and_exits_1_when_some_failed(
    db_url: str,
    seed_schedule: Schedule,
    smtp: SmtpServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepare(db_url, seed_schedule, smtp=smtp, refused=1, sent=2, waiting=1)
    point_cli_at(db_url, tmp_path, monkeypatch)

    code = main(["mail-status"])

    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0] == "Väntar: 1, skickas nu: 0, skickade: 2, misslyckade: 1."
    assert len(out) == 2
    assert " confirmed till deltagare0@vaxjo.se: 550 5.1.1 Mailbox unavailable" in out[1]


def test_mail_status_exits_0_when_nothing_failed(
    db_url: str,
    seed_schedule: Schedule,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepare(db_url, seed_schedule, waiting=2)
    point_cli_at(db_url, tmp_path, monkeypatch)

    code = main(["mail-status"])

    assert code == 0
    assert capsys.readouterr().out == "Väntar: 2, skickas nu: 0, skickade: 0, misslyckade: 0.\n"


def test_worker_once_without_smtp_writes_each_waiting_mail_as_an_eml_file(
    db_url: str,
    seed_schedule: Schedule,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepare(db_url, seed_schedule, waiting=2)
    point_cli_at(db_url, tmp_path, monkeypatch)
    folder = tmp_path / "eml"
    monkeypatch.setenv("COURSES_MAIL_DIR", str(folder))

    code = main(["worker", "--once"])
    out = capsys.readouterr().out
    status = main(["mail-status"])

    assert code == 0
    assert out == "2 skickade, 0 försöks igen senare, 0 misslyckades.\n"
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    assert {recipient(read_eml(path)) for path in files} == {
        "deltagare0@vaxjo.se",
        "deltagare1@vaxjo.se",
    }
    assert status == 0
    assert "skickade: 2, misslyckade: 0." in capsys.readouterr().out
