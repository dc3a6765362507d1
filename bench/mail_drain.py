"""One throughput round: the bare aiosmtplib ceiling and the worker draining the outbox.

Both send the same messages to the same sink (`mail_sink.py`, another process) from this
process, on the same kind of event loop:

- ceiling: the messages the worker would send, built and flattened to bytes beforehand by the
  worker's own `_message` from the rows' facts, sent by `aiosmtplib.SMTP.sendmail` in a plain
  loop over one connection (connect and QUIT included): what aiosmtplib itself costs;
- worker: `MailWorker.drain()` over the same rows: claim, load facts, build, send, record, batch
  after batch, each batch on its own connection, exactly as `courses worker --once` does.

Which goes first alternates from round to round, so a warm or cold machine favours neither.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
from mail_plan import bench_settings, fill_outbox, seeded_context
from mail_sink import HOST, SmtpSink
from rush_servers import Backend
from sqlalchemy import select

from courses.mail.facts import load_facts
from courses.mail.message import Outgoing
from courses.mail.transport import transport_for
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.storage.outbox import Claimed
from courses.storage.tables import outbox_table

__all__ = ["Phase", "ThroughputRound", "throughput_round"]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Phase:
    """One timed send of all the messages."""

    sent: int
    received: int
    wall_s: float
    sender_cpu_s: float
    sink_cpu_s: float

    @property
    def per_s(self) -> float:
        return self.received / self.wall_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "per_s": round(self.per_s, 1),
            "sent": self.sent,
            "received": self.received,
            "wall_s": round(self.wall_s, 3),
            "sender_cpu_ms_per_mail": round(self.sender_cpu_s * 1000 / max(self.sent, 1), 3),
            # Near 1.0 would mean the SMTP server, not the sender, set the pace.
            "sink_busy": round(self.sink_cpu_s / self.wall_s, 3),
        }


@dataclass(frozen=True, slots=True)
class ThroughputRound:
    number: int
    mails: int
    mean_message_bytes: float
    ceiling: Phase
    worker: Phase

    @property
    def ratio(self) -> float:
        return self.worker.per_s / self.ceiling.per_s

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "mails": self.mails,
            "mean_message_bytes": round(self.mean_message_bytes),
            "ceiling": self.ceiling.as_dict(),
            "worker": self.worker.as_dict(),
            "ratio": round(self.ratio, 3),
        }


async def _rows(ctx: ServiceContext) -> list[Claimed]:
    """The pending rows, as a claim would hand them to the worker."""
    out = outbox_table.c
    columns = (out.id, out.registration_id, out.kind, out.part, out.method, out.payload)
    async with ctx.db.read() as conn:
        result = await conn.execute(
            select(*columns, out.message_id, out.attempts, out.created_at).order_by(out.id)
        )
        return [Claimed(**row._asdict()) for row in result.all()]


async def _prebuilt(ctx: ServiceContext, worker: MailWorker) -> list[Outgoing]:
    """The messages the worker would send for the pending rows, built by the worker itself."""
    rows = await _rows(ctx)
    now = ctx.clock.now()
    messages = []
    for start in range(0, len(rows), _CHUNK):
        async with ctx.db.read() as conn:
            facts = await load_facts(conn, rows[start : start + _CHUNK], settings=ctx.settings)
        messages += [worker._message(item, now) for item in facts]
    return messages


async def _timed(sink: SmtpSink, send: Callable[[], Awaitable[int]]) -> Phase:
    sink.reset()
    sink_cpu = sink.cpu_s()
    cpu = time.process_time()
    started = time.perf_counter()
    sent = await send()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return Phase(sent, sink.count(), wall, cpu, sink.cpu_s() - sink_cpu)


async def _ceiling(sink: SmtpSink, messages: list[Outgoing]) -> int:
    client = aiosmtplib.SMTP(hostname=HOST, port=sink.port, start_tls=False)
    await client.connect()
    for message in messages:
        await client.sendmail(message.sender, [message.recipient], message.data)
    await client.quit()
    return len(messages)


async def _drain(worker: MailWorker) -> int:
    result = await worker.drain()
    if result.retried or result.failed:
        raise RuntimeError(
            f"the worker did not send everything: {len(result.retried)} to retry, "
            f"{len(result.failed)} failed"
        )
    return len(result.sent)


async def _round(
    number: int, url: str, sink: SmtpSink, schedule: Path, n: int, lanes: int | None
) -> ThroughputRound:
    settings = bench_settings(url, smtp_url=sink.url)
    async with seeded_context(settings, schedule) as ctx:
        await fill_outbox(ctx, n)
        extra = {} if lanes is None else {"lanes": lanes}
        worker = MailWorker(ctx, transport_for(settings), name="bench", **extra)
        messages = await _prebuilt(ctx, worker)
        size = sum(len(m.data) for m in messages) / max(len(messages), 1)

        async def ceiling() -> Phase:
            return await _timed(sink, lambda: _ceiling(sink, messages))

        async def drain() -> Phase:
            return await _timed(sink, lambda: _drain(worker))

        if number % 2:
            bare, drained = await ceiling(), await drain()
        else:
            drained, bare = await drain(), await ceiling()
    return ThroughputRound(number, len(messages), size, bare, drained)


def throughput_round(
    number: int, backend: Backend, sink: SmtpSink, schedule: Path, *, n: int, lanes: int | None
) -> ThroughputRound:
    """A fresh database with `n` pending mails; the ceiling and the worker send them all."""
    with backend.database(f"mail_r{number}_drain") as url:
        return asyncio.run(_round(number, url, sink, schedule, n, lanes))
