"""Fresh databases and server subprocesses for the rush, always cleaned up.

Each measured round gets its own database (a new SQLite file, or a new PostgreSQL database that
is dropped afterwards) and its own server process on a free port of 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Protocol

from rush_client import HOST, ProtocolError, request_json
from sqlalchemy import text
from sqlalchemy.engine import make_url

from courses.storage.db import make_engine

__all__ = [
    "BENCH_DIR",
    "ROOT",
    "Backend",
    "PostgresBackend",
    "Server",
    "SqliteBackend",
    "add_database_options",
    "backends",
    "baseline_command",
    "free_port",
    "run_cli",
    "service_command",
    "serving",
    "stop_on_sigterm",
]

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


class Backend(Protocol):
    name: str

    def database(self, label: str) -> AbstractContextManager[str]:
        """A fresh, empty database's URL while the block runs; it is removed afterwards."""
        ...


class SqliteBackend:
    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def database(self, label: str) -> Iterator[str]:
        path = self.folder / f"{label}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)


class PostgresBackend:
    """Creates one database per use through `admin_url`, and drops it afterwards."""

    name = "postgresql"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = make_url(admin_url).set(drivername="postgresql")
        self.run_id = uuid.uuid4().hex[:8]

    def _admin(self, sql: str) -> None:
        async def run() -> None:
            engine = make_engine(self.admin_url.render_as_string(hide_password=False))
            try:
                async with engine.connect() as conn:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                    await conn.execute(text(sql))
            finally:
                await engine.dispose()

        asyncio.run(run())

    @contextmanager
    def database(self, label: str) -> Iterator[str]:
        name = f"rush_{self.run_id}_{label}".lower()
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True, slots=True)
class Server:
    port: int
    pid: int

    def cpu_s(self) -> float | None:
        """User + system CPU seconds the server process used so far (Linux only)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        # After the command name: state is field 3, utime and stime are fields 14 and 15.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def service_command(port: int) -> list[str]:
    """`courses serve`, exactly as an admin starts it."""
    return [sys.executable, "-m", "courses.cli", "serve", "--host", HOST, "--port", str(port)]


def baseline_command(port: int) -> list[str]:
    """The baseline under uvicorn with the defaults `courses serve` uses (info log, access log)."""
    app_dir = str(BENCH_DIR)
    return [
        *(sys.executable, "-m", "uvicorn", "--factory", "--app-dir", app_dir),
        *("baseline_app:create_app", "--host", HOST, "--port", str(port), "--log-level", "info"),
    ]


def run_cli(args: list[str], env: Mapping[str, str]) -> None:
    """Run `courses ARGS` to completion; on failure, show its output and raise."""
    done = subprocess.run(
        [sys.executable, "-m", "courses.cli", *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"courses {' '.join(args)} failed with exit code {done.returncode}")


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _healthy(port: int) -> bool:
    try:
        response = asyncio.run(request_json(port, "GET", "/api/health"))
    except (OSError, TimeoutError, ProtocolError):
        return False
    return response.status == 200


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with code {proc.returncode}; log:\n{_log_tail(log_path)}"
            )
        if _healthy(port):
            return
        time.sleep(0.1)
    raise RuntimeError(
        f"server not healthy after {STARTUP_TIMEOUT_S:.0f} s:\n{_log_tail(log_path)}"
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serving(
    command: list[str], env: Mapping[str, str], log_path: Path, port: int
) -> Iterator[Server]:
    """Start a server, wait until GET /api/health answers 200, and stop it afterwards.

    It runs in its own session, so a Ctrl-C reaches only this script, which then stops it.
    """
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            command,
            env=dict(env),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(proc, port, log_path)
            yield Server(port=port, pid=proc.pid)
        finally:
            _stop(proc)


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """`--postgres-url` and `--sqlite/--no-sqlite`, as every benchmark here takes them."""
    parser.add_argument(
        "--postgres-url",
        help="also run on PostgreSQL: a server URL whose user may CREATE and DROP databases",
    )
    parser.add_argument(
        "--sqlite", action=argparse.BooleanOptionalAction, default=True, help="run on SQLite"
    )


def backends(args: argparse.Namespace, folder: Path) -> Iterator[Backend]:
    if args.sqlite:
        yield SqliteBackend(folder)
    if args.postgres_url:
        yield PostgresBackend(args.postgres_url)


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so servers are stopped and databases and files removed."""
    signal.signal(signal.SIGTERM, _interrupt)
