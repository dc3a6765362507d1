"""What both benchmarks stand on: fresh databases, server processes and the SMTP sink.

Every measurement gets its own database (a SQLite file in the run's temporary folder, or a
PostgreSQL database created on `--postgres-url` and dropped afterwards) and its own server
process on a free port of 127.0.0.1, in a session of its own so that a Ctrl-C reaches only the
benchmark, which stops it. The service is a checkout's own `.venv/bin/courses` (another
checkout's for an A/B run). The SMTP sink is `smtp_sink.py`, the load client `load.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from load import HOST, health, run
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds process `pid` has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# --- Databases -------------------------------------------------------------------------------


def query(url: str, sql: str, *, autocommit: bool = False) -> list[tuple[Any, ...]]:
    """Run one statement on a plain `sqlite:` or `postgresql:` URL; its rows, if any."""
    parsed = make_url(url)
    engine_url = parsed.set(drivername=_DRIVERS[parsed.get_backend_name()])
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}

    async def go() -> list[tuple[Any, ...]]:
        engine = create_async_engine(engine_url, poolclass=NullPool, **options)
        try:
            async with engine.begin() as conn:
                result = await conn.execute(text(sql))
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    return asyncio.run(go())


class Sqlite:
    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def database(self, label: str, *, copy_of: str | None = None) -> Iterator[str]:
        """A new database file, or a copy of `copy_of`'s, while the block runs."""
        path = self.folder / f"{label}.db"
        if copy_of is not None:
            with sqlite3.connect(make_url(copy_of).database) as src, sqlite3.connect(path) as dst:
                src.backup(dst)
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)


class Postgres:
    name = "postgresql"

    def __init__(self, server_url: str) -> None:
        self.url = make_url(server_url).set(drivername="postgresql")
        self.run_id = uuid.uuid4().hex[:8]

    @contextmanager
    def database(self, label: str, *, copy_of: str | None = None) -> Iterator[str]:
        """A new database, or a copy of `copy_of`'s (no one may be connected to it)."""
        name = f"bench_{self.run_id}_{label}".lower()
        admin = self.url.render_as_string(hide_password=False)
        template = f' TEMPLATE "{make_url(copy_of).database}"' if copy_of else ""
        for attempt in range(50):
            try:
                query(admin, f'CREATE DATABASE "{name}"{template}', autocommit=True)
                break
            except Exception:  # the server's last sessions on the template may still be closing
                if not template or attempt == 49:
                    raise
                time.sleep(0.1)
        try:
            yield self.url.set(database=name).render_as_string(hide_password=False)
        finally:
            query(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', autocommit=True)


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def database_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres-url",
        help="also on PostgreSQL: a server URL whose user may CREATE and DROP databases",
    )
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)


def run_databases(
    args: argparse.Namespace, measure: Callable[[Sqlite | Postgres, Path], Iterable[Any]]
) -> int:
    """For SQLite and/or PostgreSQL (`database_options`), print what `measure` gives as JSON
    lines; everything it made lives in one temporary folder, removed afterwards."""
    if not args.sqlite and not args.postgres_url:
        progress("Nothing to run: --no-sqlite and no --postgres-url.")
        return 2
    signal.signal(signal.SIGTERM, _interrupt)  # unwind like Ctrl-C: clean up on the way out
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            folder = Path(tmp)
            found: list[Sqlite | Postgres] = [Sqlite(folder)] if args.sqlite else []
            for db in found + ([Postgres(args.postgres_url)] if args.postgres_url else []):
                for line in measure(db, folder):
                    print(json.dumps(line), flush=True)
    except KeyboardInterrupt:
        progress("Interrupted: servers stopped, temporary databases and files removed.")
        return 130
    return 0


# --- Server processes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkout:
    """A clone of the project with its own `.venv` (`make .venv/.runtime` in it)."""

    path: Path

    @property
    def courses(self) -> str:
        return str(self.path / ".venv" / "bin" / "courses")

    def commit(self) -> str:
        git = ["git", "-C", str(self.path), "describe", "--always", "--dirty"]
        return subprocess.run(git, capture_output=True, text=True, check=False).stdout.strip()

    def cli(self, args: Sequence[str], env: Mapping[str, str]) -> None:
        """`courses ARGS` to completion; on failure, show its output and raise."""
        done = subprocess.run(
            [self.courses, *args], cwd=self.path, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise RuntimeError(f"{self.courses} {' '.join(args)} exited with {done.returncode}")

    def serve(self, port: int, mail_worker: str) -> list[str]:
        """`courses serve`, exactly as an admin starts it."""
        where = ["--host", HOST, "--port", str(port)]
        return [self.courses, "serve", *where, "--mail-worker", mail_worker]


def baseline_command(port: int) -> list[str]:
    """The baseline under uvicorn with the defaults `courses serve` uses (info log, access log)."""
    app = ["--factory", "--app-dir", str(ROOT / "bench"), "baseline_app:create_app"]
    return [sys.executable, "-m", "uvicorn", *app, "--host", HOST, "--port", str(port)]


def service_env(url: str, port: int, folder: Path, **settings: str) -> dict[str, str]:
    """This environment without its `COURSES_*`, and one server's settings (`smtp_url=...`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env.update(
        COURSES_DATABASE_URL=url,
        COURSES_BASE_URL=f"http://{HOST}:{port}",
        COURSES_MAIL_DIR=str(folder / "mail-out"),
        COURSES_SECRET_KEY=uuid.uuid4().hex * 2,
        # The rush comes from one address but stands for many people: keep the limit (and its
        # cost) on every registration, but above what a benchmark sends.
        COURSES_RATE_LIMIT_CLIENT="1000000/10min",
    )
    env.update({f"COURSES_{key.upper()}": value for key, value in settings.items()})
    return env


@dataclass(frozen=True, slots=True)
class Server:
    port: int
    pid: int


@contextmanager
def serving(
    command: list[str], env: Mapping[str, str], log: Path, port: int, *, cwd: Path = ROOT
) -> Iterator[Server]:
    """Start a server in `cwd`, wait until GET /api/health answers 200, stop it (SIGTERM) after.

    `cwd` matters: `courses serve` starts its mail worker as `python -m courses.cli`, which
    imports the `courses` found in the working directory first.
    """
    with log.open("ab") as out:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while run(health(port)) != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
                raise RuntimeError(f"{' '.join(command)} did not start:\n{tail}")
            time.sleep(0.1)
        yield Server(port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
