"""One latency round: commit-to-delivered time of each mail while clients register at once.

`courses serve` (a subprocess on a free port of 127.0.0.1, on a fresh seeded database, with
`COURSES_SMTP_URL` pointing at the sink) takes the registrations of `rush_client.fire` and
sends their mails with its own in-process worker meanwhile. Afterwards the outbox rows are
read back: a mail's latency is the moment the sink received it (its wall clock) minus the
row's `created_at` (the service's wall clock; same machine, same clock). `created_at` is read
when the request starts, before the write transaction waits for its lock, so the figure is an
upper bound of commit-to-delivered. Mails are matched by Message-ID, `<message_id@domain>`.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mail_plan import MAIL_FROM, bench_settings, header_message_id, seeded_context
from mail_sink import SmtpSink
from rush_client import HOST, Volley, fire, percentile
from rush_plan import registrations
from rush_servers import Backend, free_port, service_command, serving
from sqlalchemy import func, select

from courses.storage import outbox
from courses.storage.db import make_engine
from courses.storage.outbox import OutboxStatus
from courses.storage.tables import outbox_table

__all__ = ["RushRound", "rush_round"]

DELIVERY_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class RushRound:
    number: int
    registrations_per_s: float
    http_p99_ms: float
    http_errors: int
    statuses: dict[str, int]
    mails: int
    """Outbox rows written by the measured registrations."""
    undelivered: int
    duplicates: int
    failed: int
    last_mail_after_s: float
    """From the last registration's answer to the last mail's arrival."""
    server_busy: float | None
    """The service's CPU seconds over the wall time from the first registration to the last
    mail: near 1 means its one event loop (HTTP and worker alike) had no time to spare."""
    latencies_ms: list[float] = field(repr=False)
    """Sorted commit-to-delivered latencies of the delivered mails."""

    def as_dict(self) -> dict[str, Any]:
        lat = self.latencies_ms
        return {
            "round": self.number,
            "registrations_per_s": round(self.registrations_per_s, 1),
            "http_p99_ms": round(self.http_p99_ms, 2),
            "http_errors": self.http_errors,
            "statuses": self.statuses,
            "mails": self.mails,
            "delivered": len(lat),
            "undelivered": self.undelivered,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "p50_ms": round(percentile(lat, 50), 1),
            "p90_ms": round(percentile(lat, 90), 1),
            "p99_ms": round(percentile(lat, 99), 1),
            "max_ms": round(lat[-1], 1) if lat else None,
            "last_mail_after_s": round(self.last_mail_after_s, 3),
            "server_busy": None if self.server_busy is None else round(self.server_busy, 3),
        }


def _env(database_url: str, port: int, folder: Path, smtp_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env.update(
        COURSES_DATABASE_URL=database_url,
        COURSES_BASE_URL=f"http://{HOST}:{port}",
        COURSES_MAIL_DIR=str(folder / "mail-out"),
        COURSES_SMTP_URL=smtp_url,
        COURSES_MAIL_FROM=MAIL_FROM,
        COURSES_SECRET_KEY=secrets.token_hex(32),
    )
    return env


async def _seed(url: str, smtp_url: str, schedule: Path) -> None:
    async with seeded_context(bench_settings(url, smtp_url=smtp_url), schedule):
        pass


async def _wait_sent(url: str, timeout_s: float = DELIVERY_TIMEOUT_S) -> dict[OutboxStatus, int]:
    """Poll until no row is pending or in flight; the counts at the end (or at the timeout)."""
    engine = make_engine(url, pool_size=1)
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            async with engine.connect() as conn:
                counts = await outbox.counts(conn)
            busy = counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING]
            if not busy or time.monotonic() > deadline:
                return counts
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()


async def _last_id(url: str) -> int:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(select(func.max(outbox_table.c.id)))
            return int(found.scalar() or 0)
    finally:
        await engine.dispose()


async def _rows_after(url: str, last_id: int) -> list[tuple[str, float, str]]:
    """(Message-ID header, created_at as Unix time, status) of the rows after `last_id`."""
    out = outbox_table.c
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(
                select(out.message_id, out.created_at, out.status).where(out.id > last_id)
            )
            return [
                (header_message_id(token), created.timestamp(), status)
                for token, created, status in result.all()
            ]
    finally:
        await engine.dispose()


@dataclass(frozen=True, slots=True)
class _Window:
    """The measured stretch: wall clock at the start and after the last answer, server CPU."""

    started_at: float
    answered_at: float
    server_cpu_s: float | None


def _result(
    number: int,
    volley: Volley,
    window: _Window,
    rows: list[tuple[str, float, str]],
    received: list[tuple[float, str]],
) -> RushRound:
    arrivals: dict[str, float] = {}
    copies = Counter(mid for _, mid in received)
    for arrived, mid in received:
        arrivals.setdefault(mid, arrived)
    latencies = sorted(
        (arrivals[mid] - created) * 1000 for mid, created, _ in rows if mid in arrivals
    )
    http = volley.latencies_ms()
    last_mail = max((t for t, _ in received), default=window.answered_at)
    cpu = window.server_cpu_s
    return RushRound(
        number=number,
        registrations_per_s=len(volley.outcomes) / volley.wall_s,
        http_p99_ms=percentile(http, 99),
        http_errors=volley.errors,
        statuses=volley.statuses,
        mails=len(rows),
        undelivered=len(rows) - len(latencies),
        duplicates=sum(n - 1 for n in copies.values()),
        failed=sum(1 for _, _, status in rows if status == OutboxStatus.FAILED.value),
        last_mail_after_s=last_mail - window.answered_at,
        server_busy=None if cpu is None else cpu / (last_mail - window.started_at),
        latencies_ms=latencies,
    )


def rush_round(
    number: int,
    backend: Backend,
    sink: SmtpSink,
    folder: Path,
    schedule: Path,
    *,
    n: int,
    concurrency: int,
    warmup: int,
) -> RushRound:
    """Serve a fresh database, warm up, then `n` registrations with `concurrency` in flight."""
    port = free_port()
    label = f"mail_r{number}_rush"
    with backend.database(label) as url:
        asyncio.run(_seed(url, sink.url, schedule))
        env = _env(url, port, folder, sink.url)
        with serving(service_command(port), env, folder / f"{label}.log", port) as server:
            if warmup:
                asyncio.run(fire(port, registrations(warmup, port, warmup=True), concurrency))
            asyncio.run(_wait_sent(url))
            last_id = asyncio.run(_last_id(url))
            sink.reset()
            shots = registrations(n, port)
            cpu_before = server.cpu_s()
            started_at = time.time()
            volley = asyncio.run(fire(port, shots, concurrency))
            answered_at = time.time()
            asyncio.run(_wait_sent(url))
            cpu_after = server.cpu_s()
            received, _ = sink.received()
            rows = asyncio.run(_rows_after(url, last_id))
    # The poll that saw the outbox empty ran a little after the last mail: a small overcount.
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return _result(number, volley, _Window(started_at, answered_at, cpu), rows, received)
