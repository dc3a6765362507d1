"""PostgreSQL's side of waking an idle mail worker: `LISTEN` on a connection of its own, and the
advisory lock that tells the database's triggers someone is listening (migration 0014).

A notifying transaction commits alone (PostgreSQL holds a global lock across its WAL flush), so
the triggers on `outbox_mail` and `sign_in_request` notify only while a worker sleeps: the
worker takes `SLEEPING` (`sleep`), looks once more for due mail, and waits; the first
notification after that wakes it, and it lets go (`wake`). A transaction that queued mail
before the lock was taken still holds its shared lock until it ends, so the worker cannot
take it then (`sleep` answers False: look again shortly), and once it has it, every mail
committed earlier is visible to its last look. Mail is never missed, only the NOTIFY saved.

The connection is not the engine's: it stays open and idle for as long as the worker runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["CHANNEL", "SLEEPING", "Listener", "listen"]

CHANNEL = "courses_mail"
SLEEPING = 1835100524
"""The advisory lock a sleeping worker holds ('mail' as an integer)."""

# What SQLAlchemy's URL carries for its own asyncpg adapter, not for asyncpg.connect.
_ADAPTER_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback")


class Listener:
    """One worker's `LISTEN courses_mail` connection; `closed` is set when it is lost."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()  # one statement at a time on the connection
        self._asleep = False
        self.closed = asyncio.Event()

    async def sleep(self) -> bool:
        """Take the lock that makes the triggers notify; False while a transaction queuing
        mail is still open (it is about to commit: look again shortly instead)."""
        async with self._lock:
            if not self._asleep:
                self._asleep = bool(
                    await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", SLEEPING)
                )
            return self._asleep

    async def wake(self) -> None:
        """Let go of the lock: the worker is busy, nobody needs to be told."""
        async with self._lock:
            if self._asleep and not self._conn.is_closed():
                self._asleep = False
                await self._conn.execute("SELECT pg_advisory_unlock($1)", SLEEPING)

    async def close(self) -> None:
        if not self._conn.is_closed():
            await self._conn.close(timeout=5)
        self.closed.set()


async def listen(engine: AsyncEngine, on_notify: Callable[[str], None]) -> Listener:
    """Connect as the engine does and `LISTEN`; `on_notify` gets each notification's payload
    (the table whose trigger sent it). Raises the driver's error when the database cannot be
    reached."""
    _, options = engine.dialect.create_connect_args(engine.url)
    for key in _ADAPTER_ONLY:
        options.pop(key, None)
    conn = await asyncpg.connect(**options)
    listener = Listener(conn)

    def notified(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
        on_notify(payload)

    def lost(_conn: Any) -> None:
        listener.closed.set()

    conn.add_termination_listener(lost)
    try:
        await conn.add_listener(CHANNEL, notified)
    except BaseException:
        conn.terminate()
        raise
    return listener
