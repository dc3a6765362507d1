"""`courses worker`, and the mail work that `courses serve` runs in its
own process: the mail worker and, beside it, the housekeeping jobs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server

from courses.clock import SystemClock
from courses.mail.transport import Transport, transport_for
from courses.mail.worker import SAFETY_POLL, MailWorker
from courses.metrics import Metrics
from courses.services.context import ServiceContext
from courses.services.housekeeping import housekeeping, keep_house
from courses.services.operations import outbox_backlog_if_reachable
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["mail_destination", "run_mail", "worker"]

_BACKLOG_EVERY = 10.0  # seconds between readings of the outbox for the worker's own /metrics
_SQLITE_POLL = 5.0
"""A stand-alone worker's poll on SQLite, where mail committed by another process wakes
nothing (an idle look costs a few milliseconds of CPU: at 1 s, 3 % of a core)."""


def mail_destination(settings: Settings) -> str:
    if settings.smtp_url:
        return "skickas via SMTP (COURSES_SMTP_URL)"
    return f"skrivs som .eml-filer i {settings.mail_dir.resolve()} (COURSES_SMTP_URL är inte satt)"


def run_mail(
    transport: Transport | None = None,
    *,
    poll: float = SAFETY_POLL,
    metrics: Metrics | None = None,
) -> Callable[[ServiceContext, asyncio.Event], Coroutine[Any, Any, None]]:
    """The mail worker and the housekeeping jobs, together, until the event is set. `poll`:
    the worker's safety net; mail is sent as soon as it is committed in this process, or on
    PostgreSQL in any."""

    async def run(ctx: ServiceContext, stop: asyncio.Event) -> None:
        mail = MailWorker(
            ctx, transport or transport_for(ctx.settings), poll_interval=poll, metrics=metrics
        )
        await asyncio.gather(mail.run(stop), keep_house(ctx, stop))

    return run


async def worker(
    settings: Settings,
    *,
    once: bool,
    poll: float | None,
    parent: int | None,
    metrics_at: tuple[str, int] | None = None,
) -> int:
    """`metrics_at`: (host, port) where a long-running worker serves its own counters; `poll`:
    seconds between looks when nothing wakes the worker (None: by the database)."""
    db = Database.from_url(settings.database_url)
    if poll is None:
        poll = _SQLITE_POLL if db.is_sqlite else SAFETY_POLL
    metrics = Metrics()
    exporter = None
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        if once:
            await housekeeping(ctx)  # a worker run from cron queues the reminders too
            result = await MailWorker(ctx, transport_for(settings), metrics=metrics).drain()
            print(
                f"{len(result.sent)} skickade, {len(result.retried)} försöks igen senare, "
                f"{len(result.failed)} misslyckades."
            )
            return 0
        print(f"E-post {mail_destination(settings)}. Avsluta med Ctrl+C.")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        watch = asyncio.create_task(_stop_when_orphaned(parent, stop)) if parent else None
        backlog = None
        if metrics_at is not None:
            exporter = _serve_metrics(metrics, *metrics_at)
            backlog = asyncio.create_task(_read_backlog(ctx, metrics, stop))
        await run_mail(poll=poll, metrics=metrics)(ctx, stop)
        for task in (watch, backlog):
            if task is not None:
                task.cancel()
    finally:
        if exporter is not None:
            exporter.shutdown()
            exporter.server_close()
        await db.dispose()
    return 0


def _serve_metrics(metrics: Metrics, host: str, port: int) -> WSGIServer:
    """The worker's own counters (mails sent, retried, failed) for Prometheus to scrape."""
    try:
        server, _ = start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as exc:
        print(f"Måtten kan inte visas på {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"Mått för Prometheus: http://{host}:{port}/metrics")
    return server


async def _read_backlog(ctx: ServiceContext, metrics: Metrics, stop: asyncio.Event) -> None:
    """The worker's exporter answers from its own thread, where the database cannot be asked:
    the outbox gauges and `courses_database_up` are read here, every few seconds, instead
    (without this the worker reported the database down all the time)."""
    while not stop.is_set():
        metrics.set_outbox(await outbox_backlog_if_reachable(ctx))
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _BACKLOG_EVERY)


async def _stop_when_orphaned(parent: int, stop: asyncio.Event) -> None:
    """A service killed without a chance to stop its worker leaves it to another parent."""
    while os.getppid() == parent:  # noqa: ASYNC110 - a parent's death has no event to await
        await asyncio.sleep(1)
    stop.set()
