"""Helpers the worker tests share: registrations, outbox rows, a transport that can be killed."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import select

from courses.mail.message import Outgoing
from courses.mail.transport import (
    Connection,
    SmtpTransport,
    Transport,
)
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationReceipt, register
from courses.storage.tables import outbox_table
from tests.conftest import form
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer

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
    return MailWorker(ctx, SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), name=name)


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
