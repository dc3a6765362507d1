"""Databases that are not there, for the outage tests."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

__all__ = ["refusing_postgresql_url", "settle_failed_sqlite_connects", "unopenable_sqlite_url"]


def unopenable_sqlite_url(tmp_path: Path) -> str:
    """A file in a folder that does not exist: SQLite cannot open it (SQLITE_CANTOPEN)."""
    return f"sqlite:///{tmp_path / 'saknas' / 'courses.db'}"


def refusing_postgresql_url() -> str:
    """A free port on 127.0.0.1 where nothing listens: every connect is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return f"postgresql://postgres@127.0.0.1:{port}/courses"


def settle_failed_sqlite_connects(*, within: float = 5) -> None:
    """Let aiosqlite's threads of failed connections finish while the event loop still runs.

    After a failed connect aiosqlite queues its thread's stop with a future it never awaits;
    if the loop closes first, that thread raises "Event loop is closed" into the next test.
    Call it before the app (and its loop) stops, when no connection is open.
    """
    for thread in threading.enumerate():
        if thread.name.endswith("(_connection_worker_thread)"):
            thread.join(timeout=within)
