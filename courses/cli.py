"""The `courses` command: the composition root that wires settings, storage, services and HTTP.

courses serve [--host 127.0.0.1] [--port 8000] [--mail-worker auto|inline|process|off]
courses seed FILE [--dry-run] [--demo]
courses migrate
courses worker [--once] [--poll SECONDS]
courses mail-status
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from courses.clock import SystemClock
from courses.schedule import ScheduleError, load_schedule
from courses.schedule.demo import demo_schedule
from courses.services.context import ServiceContext
from courses.services.schedule_import import Action, ImportReport, import_schedule
from courses.settings import Settings, SettingsError
from courses.storage import outbox
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.outbox import OutboxStatus
from courses.supervise import ChildProcess, child_environment, courses_command

__all__ = ["main"]

_ACTIONS = {Action.CREATED: "skapad", Action.CHANGED: "ändrad", Action.UNCHANGED: "oförändrad"}
_KINDS = {"employer": "arbetsgivare", "course": "kurs"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="courses", description="Anmälan till utbildningar inom missbruks- och beroendevård."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="starta tjänsten (migrerar databasen först)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--mail-worker",
        choices=["auto", "inline", "process", "off"],
        default="auto",
        help="var e-posten skickas: i tjänstens process (inline), i en egen process (process), "
        "inte alls (off: kör `courses worker` separat); auto = inline med SQLite, process med "
        "PostgreSQL",
    )
    seed = commands.add_parser("seed", help="importera en schemafil (TOML)")
    seed.add_argument("file", type=Path)
    seed.add_argument("--dry-run", action="store_true", help="visa vad som skulle ändras")
    seed.add_argument(
        "--demo",
        action="store_true",
        help="importera en tydligt märkt demokopia av kurserna, flyttad till kommande månader",
    )
    commands.add_parser("migrate", help="uppdatera databasens schema")
    worker = commands.add_parser(
        "worker", help="skicka utgående e-post (när tjänsten körs i flera instanser)"
    )
    worker.add_argument(
        "--once", action="store_true", help="skicka det som väntar nu och avsluta sedan"
    )
    worker.add_argument(
        "--poll",
        type=_seconds,
        default=0.2,
        help="sekunder mellan kontrollerna av om nya mejl väntar (standard 0.2)",
    )
    # Set by `courses serve` for its worker process: stop when that service is gone.
    worker.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    commands.add_parser("mail-status", help="visa hur många mejl som väntar och har misslyckats")
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"ett antal sekunder större än 0, inte {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Fel i inställningarna: {exc}", file=sys.stderr)
        return 2
    try:
        return _run(args, settings)
    except (ConnectionError, TimeoutError, socket.gaierror, DBAPIError) as exc:
        # A database that cannot be reached or opened: say so, without a stack trace.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(
            f"Databasen kan inte nås ({settings.async_database_url.partition(':')[0]}, "
            f"se COURSES_DATABASE_URL): {reason}",
            file=sys.stderr,
        )
        return 2


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        settings = serve_settings(settings, host=args.host, port=args.port, environ=os.environ)
        # Migrating first also finds an unreachable database before the server starts.
        asyncio.run(_migrate(settings, quiet=True))
        return _serve(settings, host=args.host, port=args.port, mail_worker=args.mail_worker)
    if args.command == "seed":
        return asyncio.run(_seed(settings, args.file, dry_run=args.dry_run, demo=args.demo))
    if args.command == "migrate":
        return asyncio.run(_migrate(settings))
    if args.command == "worker":
        return asyncio.run(_worker(settings, once=args.once, poll=args.poll, parent=args.parent))
    if args.command == "mail-status":
        return asyncio.run(_mail_status(settings))
    raise AssertionError(args.command)  # pragma: no cover - argparse guards this


def serve_settings(
    settings: Settings, *, host: str, port: int, environ: Mapping[str, str]
) -> Settings:
    """Without COURSES_BASE_URL, links point where the service really listens."""
    if environ.get("COURSES_BASE_URL", "").strip():
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only a name here
    return replace(settings, base_url=f"http://{shown}:{port}")


def _serve(settings: Settings, *, host: str, port: int, mail_worker: str) -> int:
    import uvicorn

    from courses.api import create_app

    if mail_worker == "auto":
        # SQLite has one writer at a time, queued fairly only within one process; PostgreSQL
        # lets the worker use another core without slowing registrations down.
        postgres = settings.async_database_url.startswith("postgresql")
        mail_worker = "process" if postgres else "inline"
    print(
        f"Tjänsten startar på http://{host}:{port}/api/courses "
        f"(API-beskrivning: http://{host}:{port}/api/schema/openapi.json)"
    )
    print(f"E-post: {_mail_destination(settings)}, {_WORKER_MODES[mail_worker]}")
    # Already migrated by the caller, which reports an unreachable database readably.
    app = create_app(settings, migrate=False, mail_worker=mail_worker == "inline")
    child = None
    if mail_worker == "process":
        child = ChildProcess(
            courses_command("worker", "--poll", "0.05", "--parent", str(os.getpid())),
            env=child_environment({"COURSES_BASE_URL": settings.base_url}),
            name="the mail worker process",
        )
        child.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    finally:
        if child is not None:
            child.stop()
    return 0


_WORKER_MODES = {
    "inline": "skickas av tjänsten själv",
    "process": "skickas av en egen process (courses worker)",
    "off": "skickas inte av tjänsten: kör courses worker",
}


def _mail_destination(settings: Settings) -> str:
    if settings.smtp_url:
        return "skickas via SMTP (COURSES_SMTP_URL)"
    return f"skrivs som .eml-filer i {settings.mail_dir.resolve()} (COURSES_SMTP_URL är inte satt)"


async def _worker(settings: Settings, *, once: bool, poll: float, parent: int | None) -> int:
    from courses.mail.transport import transport_for
    from courses.mail.worker import MailWorker

    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        worker = MailWorker(ctx, transport_for(settings), poll_interval=poll)
        if once:
            await worker.housekeeping()  # a worker run from cron queues the reminders too
            result = await worker.drain()
            print(
                f"{len(result.sent)} skickade, {len(result.retried)} försöks igen senare, "
                f"{len(result.failed)} misslyckades."
            )
            return 0
        print(f"E-post {_mail_destination(settings)}. Avsluta med Ctrl+C.")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        watch = asyncio.create_task(_stop_when_orphaned(parent, stop)) if parent else None
        await worker.run(stop)
        if watch is not None:
            watch.cancel()
    finally:
        await db.dispose()
    return 0


async def _stop_when_orphaned(parent: int, stop: asyncio.Event) -> None:
    """A service killed without a chance to stop its worker leaves it to another parent."""
    while os.getppid() == parent:  # noqa: ASYNC110 - a parent's death has no event to await
        await asyncio.sleep(1)
    stop.set()


async def _mail_status(settings: Settings) -> int:
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        async with db.read() as conn:
            counts = await outbox.counts(conn)
            failures = await outbox.recent_failures(conn, limit=20)
    finally:
        await db.dispose()
    print(
        f"Väntar: {counts[OutboxStatus.PENDING]}, skickas nu: {counts[OutboxStatus.SENDING]}, "
        f"skickade: {counts[OutboxStatus.SENT]}, misslyckade: {counts[OutboxStatus.FAILED]}."
    )
    for failure in failures:
        print(f"  #{failure.id} {failure.kind} till {failure.recipient}: {failure.error}")
    return 1 if counts[OutboxStatus.FAILED] else 0


async def _migrate(settings: Settings, *, quiet: bool = False) -> int:
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    if not quiet:
        print("Databasen är uppdaterad.")
    return 0


async def _seed(settings: Settings, path: Path, *, dry_run: bool, demo: bool) -> int:
    clock = SystemClock()
    try:
        schedule = load_schedule(path)
    except ScheduleError as exc:
        print(exc, file=sys.stderr)
        return 1
    if demo:
        schedule = demo_schedule(schedule, today=clock.now().astimezone(settings.tz).date())
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=clock, settings=settings)
        report = await import_schedule(ctx, schedule, dry_run=dry_run, source=str(path))
    except ScheduleError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(render_report(str(path), report))
    return 0


def render_report(source: str, report: ImportReport) -> str:
    """The import's result as a person reads it: one line per employer and course."""
    lines = [f"{source}{' (provkörning, inget sparades)' if report.dry_run else ''}:"]
    for item in report.items:
        line = f"  {_KINDS[item.kind]} {item.key}: {_ACTIONS[item.action]}"
        if item.changes:
            line += " (" + "; ".join(item.changes) + ")"
        lines.append(line)
    if report.promoted:
        lines.append(
            f"  {report.promoted} anmälningar flyttades från reservlistan till bekräftade."
        )
    if report.notified:
        lines.append(
            f"  {report.notified} anmälda {'skulle få' if report.dry_run else 'får'} "
            "ett mejl om ändringen."
        )
    if not report.items:
        lines.append("  Filen innehåller inga arbetsgivare eller kurser.")
    elif not report.changed:
        lines.append("Inget ändrades: databasen stämmer redan med filen.")
    else:
        counts = {a: sum(1 for i in report.items if i.action is a) for a in Action}
        lines.append(
            f"{counts[Action.CREATED]} skapade, {counts[Action.CHANGED]} ändrade, "
            f"{counts[Action.UNCHANGED]} oförändrade."
        )
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
