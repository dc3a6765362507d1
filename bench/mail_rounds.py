"""The two parts of a `mail_throughput.py` round: throughput from a full outbox, and latency
during a registration rush. Both use only the service's public faces: `courses seed` and
`courses serve`, HTTP, `MailWorker(...).drain()` and the `Transport` protocol."""

from __future__ import annotations

import asyncio
import time
from argparse import Namespace
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosmtplib
from harness import (
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    cpu_s,
    free_port,
    query,
    service_env,
    serving,
)
from load import HOST, SCHEDULE, fire, percentile, registrations
from smtp_sink import Sink

from courses.clock import SystemClock
from courses.mail.message import Outgoing
from courses.mail.transport import Transport, transport_for
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.settings import Settings
from courses.storage.db import Database

__all__ = ["rush_round", "throughput_round"]

CHECKOUT = Checkout(ROOT)
_BUSY = "SELECT count(*) FROM outbox_mail WHERE status IN ('pending', 'sending')"


class Recording:
    """A `Transport` that keeps every message the worker hands it, as sent."""

    def __init__(self) -> None:
        self.mails: list[Outgoing] = []

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[Recording]:
        """The connection for a batch is the recorder itself."""
        yield self

    async def send(self, mail: Outgoing) -> None:
        self.mails.append(mail)


@asynccontextmanager
async def mail_worker(
    env: dict[str, str], *, transport: Transport | None = None, lanes: int | None = None
) -> AsyncIterator[MailWorker]:
    """A worker on the settings a server ran with, built as `courses worker` builds it."""
    settings = Settings.from_env(env)
    db = Database.from_url(settings.database_url)
    try:
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        extra = {} if lanes is None else {"lanes": lanes}
        yield MailWorker(ctx, transport or transport_for(settings), name="bench", **extra)
    finally:
        await db.dispose()


def _seed(url: str, folder: Path, sink: Sink) -> tuple[int, dict[str, str]]:
    """A port and the settings for a server on `url`, seeded with the bench schedule."""
    port = free_port()
    env = service_env(url, port, folder, smtp_url=sink.url)
    for schedule in (ROOT / "seeds" / "employers.toml", SCHEDULE):
        CHECKOUT.cli(["seed", str(schedule)], env)
    return port, env


async def _drain(worker: MailWorker) -> int:
    result = await worker.drain()
    if result.retried or result.failed:
        raise RuntimeError(f"not sent: {len(result.retried)} to retry, {len(result.failed)} failed")
    return len(result.sent)


async def _ceiling(sink: Sink, messages: list[Outgoing]) -> int:
    client = aiosmtplib.SMTP(hostname=HOST, port=sink.port, start_tls=False)
    await client.connect()
    for message in messages:
        await client.sendmail(message.sender, [message.recipient], message.data)
    await client.quit()
    return len(messages)


async def _timed(sink: Sink, expected: set[str], send: Awaitable[int]) -> dict[str, Any]:
    """One send of all the messages; `received` counts the expected Message-IDs that arrived."""
    mark, sink_cpu = sink.mark(), cpu_s(sink.pid) or 0.0
    cpu, started = time.process_time(), time.perf_counter()
    sent = await send
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    arrived = Counter(mid for _, mid in sink.received(mark))
    received = sum(1 for mid in expected if arrived[mid])
    return {
        "per_s": round(received / wall, 1),
        "sent": sent,
        "received": received,
        "duplicates": sum(arrived.values()) - received,
        "wall_s": round(wall, 3),
        "sender_cpu_ms_per_mail": round(cpu * 1000 / max(sent, 1), 3),
        # Near 1.0 would mean the SMTP server, not the sender, set the pace.
        "sink_busy": round(((cpu_s(sink.pid) or 0.0) - sink_cpu) / wall, 3),
    }


async def _phases(
    env: dict[str, str], sink: Sink, messages: list[Outgoing], args: Namespace, number: int
) -> dict[str, Any]:
    expected = {m.message_id for m in messages}
    async with mail_worker(env, lanes=args.lanes) as worker:
        sends: dict[str, Callable[[], Awaitable[int]]] = {
            "ceiling": lambda: _ceiling(sink, messages),
            "worker": lambda: _drain(worker),
        }
        order = ["ceiling", "worker"] if number % 2 else ["worker", "ceiling"]
        return {name: await _timed(sink, expected, sends[name]()) for name in order}


async def _record(env: dict[str, str]) -> list[Outgoing]:
    recording = Recording()
    async with mail_worker(env, transport=recording) as worker:
        await _drain(worker)
    return recording.mails


def throughput_round(
    db: Sqlite | Postgres, sink: Sink, args: Namespace, folder: Path, number: int
) -> dict[str, Any]:
    """A filled outbox, the messages the worker builds for it, then the ceiling and the worker."""
    label = f"r{number}_drain"
    with db.database(label) as url:
        port, env = _seed(url, folder, sink)
        with serving(CHECKOUT.serve(port, "off"), env, folder / f"{label}.log", port):
            filled = fire(port, registrations(args.n, port), args.concurrency)
        if filled.errors:
            raise RuntimeError(f"filling the outbox failed: {filled.statuses}")
        with db.database(f"r{number}_copy", copy_of=url) as copy:
            messages = asyncio.run(_record({**env, "COURSES_DATABASE_URL": copy}))
        phases = asyncio.run(_phases(env, sink, messages, args, number))
    return {
        "round": number,
        "mails": len(messages),
        "mean_message_bytes": round(sum(len(m.data) for m in messages) / max(len(messages), 1)),
        "ceiling": phases["ceiling"],
        "worker": phases["worker"],
        "ratio": round(phases["worker"]["per_s"] / phases["ceiling"]["per_s"], 3),
    }


def _wait_sent(url: str) -> None:
    """Until no mail is pending or in flight (at most two minutes)."""
    deadline = time.monotonic() + 120
    while query(url, _BUSY)[0][0] and time.monotonic() < deadline:
        time.sleep(0.05)


def _unix(value: datetime | str) -> float:
    """A `created_at` as read without the service's types: aware on PostgreSQL, UTC text on
    SQLite."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def rush_round(
    db: Sqlite | Postgres, sink: Sink, args: Namespace, folder: Path, number: int
) -> dict[str, Any]:
    """Registrations while the service's own worker sends: commit-to-delivered of each mail."""
    label = f"r{number}_rush"
    with db.database(label) as url:
        port, env = _seed(url, folder, sink)
        with serving(CHECKOUT.serve(port, "auto"), env, folder / f"{label}.log", port) as server:
            fire(port, registrations(args.warmup, port, warmup=True), args.concurrency)
            _wait_sent(url)
            last_id = query(url, "SELECT coalesce(max(id), 0) FROM outbox_mail")[0][0]
            mark, before, started_at = sink.mark(), cpu_s(server.pid), time.time()
            volley = fire(port, registrations(args.rush, port), args.concurrency)
            answered_at = time.time()
            _wait_sent(url)
            after = cpu_s(server.pid)
        rows = query(
            url, f"SELECT message_id, created_at, status FROM outbox_mail WHERE id > {last_id}"
        )
    received = sink.received(mark)
    arrivals: dict[str, float] = {}
    for arrived, header in received:  # <token@domain>, the row's message_id being the token
        arrivals.setdefault(header.strip("<>").partition("@")[0], arrived)
    latencies = sorted((arrivals[t] - _unix(c)) * 1000 for t, c, _ in rows if t in arrivals)
    last_mail = max((t for t, _ in received), default=answered_at)
    cpu = None if before is None or after is None else after - before
    # The poll that saw the outbox empty ran a little after the last mail: a small overcount.
    busy = None if cpu is None else round(cpu / (last_mail - started_at), 3)
    return {
        "round": number,
        "registrations_per_s": round(len(volley.outcomes) / volley.wall_s, 1),
        "http_p99_ms": round(percentile(volley.latencies_ms(), 99), 2),
        "http_errors": volley.errors,
        "statuses": volley.statuses,
        "mails": len(rows),
        "delivered": len(latencies),
        "undelivered": len(rows) - len(latencies),
        "duplicates": len(received) - len(arrivals),
        "failed": sum(status == "failed" for _, _, status in rows),
        **{f"p{q}_ms": round(percentile(latencies, q), 1) for q in (50, 90, 99)},
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "last_mail_after_s": round(last_mail - answered_at, 3),
        "server_busy": busy,
        "latencies_ms": latencies,
    }
