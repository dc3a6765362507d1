"""The `courses` command: the composition root that wires settings, storage, services, mail
and HTTP.

courses serve [--host 127.0.0.1] [--port 8000] [--mail-worker auto|inline|process|off]
courses seed FILE [--dry-run] [--demo]
courses migrate [--check]
courses backup FILE [--force]
courses worker [--once] [--poll SECONDS] [--metrics-port PORT [--metrics-host HOST]]
courses mail-status
courses purge [--dry-run] [--batch-size N]
courses draw SLUG [--verify]
courses token create (--admin [--organizer KEY] | --leader EMAIL | --superadmin) | list | revoke ID
courses staff add EMAIL (--admin [--organizer KEY] | --superadmin) | list | remove ID
courses organizer list | rename KEY NEW_KEY
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from courses.cli.arguments import add_organizer_arguments, add_staff_arguments

if TYPE_CHECKING:
    from courses.settings import Settings

__all__ = ["main"]

# Nothing here imports more than argparse at start: `courses --help` answers at once, and each
# command imports what it needs when it runs (tests/test_cli_startup.py checks the short ones).


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
    migrate = commands.add_parser("migrate", help="uppdatera databasens schema")
    migrate.add_argument(
        "--check",
        action="store_true",
        help="ändra inget: avsluta med 0 om schemat är det senaste, annars 1 och visa vilka "
        "migreringar som väntar",
    )
    backup = commands.add_parser(
        "backup", help="kopiera en SQLite-databas medan tjänsten körs (PostgreSQL: pg_dump)"
    )
    backup.add_argument("file", type=Path, help="kopians filnamn")
    backup.add_argument("--force", action="store_true", help="skriv över en befintlig fil")
    worker = commands.add_parser(
        "worker", help="skicka utgående e-post (när tjänsten körs i flera instanser)"
    )
    worker.add_argument(
        "--once", action="store_true", help="skicka det som väntar nu och avsluta sedan"
    )
    worker.add_argument(
        "--poll",
        type=_seconds,
        default=None,
        help="längsta tid i sekunder mellan kontrollerna av om nya mejl väntar, om inget väcker "
        "arbetaren innan dess (standard: 10 med PostgreSQL, som meddelar arbetaren när ett mejl "
        "läggs i kö; 5 med SQLite)",
    )
    worker.add_argument(
        "--metrics-port",
        type=_port,
        default=None,
        help="visa arbetarens Prometheus-mått på http://HOST:PORT/metrics (standard: av)",
    )
    worker.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="adressen för --metrics-port (standard 127.0.0.1)",
    )
    # Set by `courses serve` for its worker process: stop when that service is gone.
    worker.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)
    commands.add_parser("mail-status", help="visa hur många mejl som väntar och har misslyckats")
    purge = commands.add_parser(
        "purge",
        help="gallra nu personuppgifterna i anmälningar till kurser som slutade för "
        "COURSES_RETENTION_DAYS dagar sedan (arbetaren gör det varje dag)",
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="visa vad som skulle gallras, ändra inget"
    )
    purge.add_argument(
        "--batch-size",
        type=_positive,
        default=500,
        help="anmälningar per transaktion (standard 500)",
    )
    draw = commands.add_parser(
        "draw",
        help="lotta en lottningskurs platser nu, även före lottningsdagen (arbetaren lottar "
        "varje kurs när dagen kommer; en kurs lottas bara en gång)",
    )
    draw.add_argument("slug", help="kursens slug, t.ex. asi-grund-2022")
    draw.add_argument(
        "--verify",
        action="store_true",
        help="lotta inte: kontrollera att loggens frö ger samma ordning och platser",
    )
    add_staff_arguments(commands)
    add_organizer_arguments(commands)
    return parser


def _port(text: str) -> int:
    if not (text.isdigit() and 0 < int(text) < 65536):
        raise argparse.ArgumentTypeError(f"ett portnummer 1–65535, inte {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not (text.isdigit() and int(text) > 0):
        raise argparse.ArgumentTypeError(f"ett heltal större än 0, inte {text!r}")
    return int(text)


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
    from courses.settings import Settings, SettingsError

    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"Fel i inställningarna: {exc}", file=sys.stderr)
        return 2
    try:
        return _run(args, settings)
    except Exception as exc:
        if not _unreachable(exc):
            raise
        # A database that cannot be reached or opened: say so, without a stack trace.
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        print(
            f"Databasen kan inte nås ({settings.async_database_url.partition(':')[0]}, "
            f"se COURSES_DATABASE_URL): {reason}",
            file=sys.stderr,
        )
        return 2


def _unreachable(exc: Exception) -> bool:
    """A database that cannot be reached or opened (SQLAlchemy wraps the driver's error; it is
    looked up only when loaded, so that `--help` does not import it)."""
    import socket

    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_errors is not None and isinstance(exc, sqlalchemy_errors.DBAPIError)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one command, importing only what it needs: `courses --help` and the small commands
    start in a fraction of a second instead of loading the web stack first."""
    import asyncio

    if args.command in ("serve", "worker"):
        from courses.logs import configure_logging
        from courses.settings import SettingsError

        configure_logging(settings.log_format)
        try:
            settings.check_secret_key(host=args.host if args.command == "serve" else None)
        except SettingsError as exc:
            print(f"Tjänsten startar inte: {exc}", file=sys.stderr)
            return 2
    if args.command == "serve":
        from courses.cli.seed import migrate
        from courses.cli.serve import serve, serve_settings

        settings = serve_settings(settings, host=args.host, port=args.port, environ=os.environ)
        # Migrating first also finds an unreachable database before the server starts.
        asyncio.run(migrate(settings, quiet=True))
        return serve(settings, host=args.host, port=args.port, mail_worker=args.mail_worker)
    if args.command == "seed":
        from courses.cli.seed import seed

        return asyncio.run(seed(settings, args.file, dry_run=args.dry_run, demo=args.demo))
    if args.command == "migrate":
        from courses.cli.seed import migrate
        from courses.cli.upkeep import migrate_check

        return asyncio.run(migrate_check(settings) if args.check else migrate(settings))
    if args.command == "backup":
        from courses.cli.upkeep import backup

        return backup(settings, args.file, force=args.force)
    if args.command in ("worker", "mail-status"):
        return _mail(args, settings)
    if args.command == "purge":
        from courses.cli.purge import purge_now

        return asyncio.run(purge_now(settings, dry_run=args.dry_run, batch_size=args.batch_size))
    if args.command == "draw":
        from courses.cli.draw import draw_now

        return asyncio.run(draw_now(settings, args.slug, verify=args.verify))
    if args.command in ("token", "staff"):
        from courses.cli.staff import run_staff, run_token

        run = run_token if args.command == "token" else run_staff
        return asyncio.run(run(settings, args))
    if args.command == "organizer":
        from courses.cli.organizers import run_organizer

        return asyncio.run(run_organizer(settings, args))
    raise AssertionError(args.command)  # pragma: no cover - argparse guards this


def _mail(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    if args.command == "mail-status":
        from courses.cli.mail_status import mail_status

        return asyncio.run(mail_status(settings))
    from courses.cli.mail import worker

    return asyncio.run(
        worker(
            settings,
            once=args.once,
            poll=args.poll,
            parent=args.parent,
            metrics_at=(args.metrics_host, args.metrics_port) if args.metrics_port else None,
        )
    )
