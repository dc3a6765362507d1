"""Without SMTP each mail is an `.eml` file; the `worker` and `mail-status` commands."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import msgspec
import pytest

from courses.cli import main
from courses.clock import FixedClock
from courses.mail.transport import (
    FileTransport,
    transport_for,
)
from courses.mail.worker import MailWorker
from courses.schedule import CourseSpec, Schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from tests.conftest import STOCKHOLM, form, local
from tests.mail.parse import text
from tests.mail.smtp_server import SmtpServer
from tests.mail.worker_scenarios import (
    LVM,
    Watched,
    header_id,
    kill_mid_batch,
    outbox_rows,
    recipient,
    register_people,
    smtp_worker,
)

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
    monkeypatch.setenv("COURSES_SECRET_KEY", "a-test-key-that-is-not-the-development-one")
    # The registrations are of 2022 and the command's clock is the real one: its daily purge
    # would otherwise take their mails (courses.services.retention.purge).
    monkeypatch.setenv("COURSES_RETENTION_DAYS", "0")
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


def test_worker_once_also_queues_and_sends_the_reminders_that_are_due(
    db_url: str,
    seed_schedule: Schedule,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The command runs on the real clock: a course two days from now, registered for earlier.
    today = datetime.now(STOCKHOLM).date()
    lvm = next(c for c in seed_schedule.course if c.slug == LVM)
    soon = msgspec.structs.replace(
        lvm,
        deadline=today,
        session=[msgspec.structs.replace(lvm.session[0], date=today + timedelta(days=2))],
    )

    async def arrange() -> None:
        db = Database.from_url(db_url)
        try:
            settings = Settings(database_url=db_url, base_url="http://kurser.test")
            clock = FixedClock(datetime.now(STOCKHOLM) - timedelta(days=10))
            ctx = ServiceContext(db=db, clock=clock, settings=settings)
            await import_schedule(ctx, replace_courses(seed_schedule, soon))
            await register(ctx, LVM, form(1))
            await MailWorker(ctx, FileTransport(tmp_path / "earlier")).drain()
        finally:
            await db.dispose()

    asyncio.run(arrange())
    point_cli_at(db_url, tmp_path, monkeypatch)
    monkeypatch.setenv("COURSES_MAIL_DIR", str(tmp_path / "eml"))

    code = main(["worker", "--once"])

    assert code == 0
    assert capsys.readouterr().out == "1 skickade, 0 försöks igen senare, 0 misslyckades.\n"
    (reminder,) = (tmp_path / "eml").glob("*.eml")
    assert str(read_eml(reminder)["Subject"]).startswith("Påminnelse: LVM föreläsning")


def replace_courses(schedule: Schedule, course: CourseSpec) -> Schedule:
    others = [c for c in schedule.course if c.slug != course.slug]
    return Schedule(employer=schedule.employer, course=[*others, course])
