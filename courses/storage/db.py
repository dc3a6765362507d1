"""The engine and transactions, with the care SQLite needs under concurrency.

`Database.write()` opens a write transaction. On SQLite it is `BEGIN IMMEDIATE`: the write lock
is taken at the start, so two writers never both read and then collide (which SQLite reports as
"database is locked" no matter how long `busy_timeout` is). `Database.read()` stays deferred, so
readers run beside a writer in WAL mode. On PostgreSQL both are ordinary READ COMMITTED
transactions; the invariants are guarded by conditional UPDATEs and unique indexes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Executable, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler

from courses.settings import async_database_url

__all__ = ["Database", "SyncRun", "make_engine"]

_T = TypeVar("_T")
SyncRun = Callable[[Executable, Mapping[str, Any]], list[Any]]
"""Runs one statement inside `Database.write_at_once`: its rows as the driver gives them."""

_WRITE_OPTION = "courses_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An async engine for a plain or async URL.

    SQLite gets WAL, a busy timeout, foreign keys and IMMEDIATE write transactions.
    """
    url = async_database_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=0)
        _configure_sqlite(engine)
        return engine
    engine = create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size)
    _ping_when_idle(engine)
    return engine


def closed_by_server(dbapi_connection: Any) -> bool:
    """Whether the driver already knows the connection is gone (asyncpg saw the server close
    it, as PostgreSQL does to every session when it stops): asked without a round trip."""
    is_closed = getattr(getattr(dbapi_connection, "driver_connection", None), "is_closed", None)
    return bool(is_closed()) if callable(is_closed) else False


PING_AFTER_IDLE_S = 2.0
"""A pooled PostgreSQL connection unused for longer is pinged before it is handed out."""
_IDLE_SINCE = "courses_idle_since"


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Replace dead pooled connections (after a PostgreSQL restart) before a request meets one.

    SQLAlchemy's `pool_pre_ping` pings on every checkout, three round trips on asyncpg (BEGIN,
    `;`, ROLLBACK): under a rush, more than the registration's own statement. A connection
    handed back a moment ago is as alive as a ping would show, so only one that lay unused
    for `PING_AFTER_IDLE_S` is pinged; a failed ping invalidates the pool as pre-ping does. One
    the server closed (a restart ends every session) is known to the driver without asking,
    and invalidates the pool at once. A restart while connections are busy fails those
    requests either way (503, see `courses.storage.outage`), and the disconnect invalidates
    the pool.
    """
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if closed_by_server(dbapi_connection):
            raise InvalidatePoolError("the server closed a pooled connection")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise InvalidatePoolError(f"a pooled connection failed its ping: {error!r}") from error


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


class Database:
    """Owns the engine; hands out read and write transactions as `AsyncConnection`s."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer at a time. Writers of this process queue here in order instead
        # of sleeping and polling in SQLite's busy handler (which makes the latency tail long);
        # BEGIN IMMEDIATE and busy_timeout still arbitrate between processes.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(make_engine(url, **kwargs))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A transaction that commits when the block ends normally and rolls back otherwise."""
        async with self._serialized(), self.engine.connect() as conn:
            if self.is_sqlite:
                await conn.execution_options(**{_WRITE_OPTION: True})
            async with conn.begin():
                yield conn

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncConnection]:
        """PostgreSQL: a connection on which each statement commits by itself (autocommit),
        for work that is one statement: it holds its row locks only while the database runs
        it, with no BEGIN before it and no COMMIT after it (two round trips, and the event
        loop's turn in between, during which a transaction would keep the locks)."""
        assert not self.is_sqlite, "single_statement is for PostgreSQL"
        async with self.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    async def write_at_once(self, work: Callable[[SyncRun], _T]) -> _T:
        """SQLite only: `work` as one `BEGIN IMMEDIATE` transaction, run whole on the driver's
        thread. `write()` awaits every statement, and each await lets the event loop run other
        requests' work while this process's write lock is held; here nothing runs between the
        statements. The transaction commits when `work` returns, and rolls back if it raises.
        """
        assert self._write_lock is not None, "write_at_once is for SQLite"
        conn = None
        try:
            async with self._write_lock:
                conn = await self.engine.connect()
                driver: Any = (await conn.get_raw_connection()).driver_connection
                # aiosqlite's own queue to its thread: the one hop of the transaction.
                done: _T = await driver._execute(
                    _transaction, driver._conn, self.engine.dialect, work
                )
                return done
        finally:
            if conn is not None:
                await conn.close()  # after the lock: its reset needs another hop

    @asynccontextmanager
    async def _serialized(self) -> AsyncIterator[None]:
        if self._write_lock is None:
            yield
            return
        async with self._write_lock:
            yield

    async def dispose(self) -> None:
        await self.engine.dispose()


def _transaction(raw: sqlite3.Connection, dialect: Dialect, work: Callable[[SyncRun], _T]) -> _T:
    raw.execute("BEGIN IMMEDIATE")
    try:
        done = work(partial(_run, raw, dialect))
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    raw.execute("COMMIT")
    return done


_COMPILED: dict[tuple[Executable, frozenset[str]], SQLCompiler] = {}


def _run(
    raw: sqlite3.Connection, dialect: Dialect, statement: Executable, params: Mapping[str, Any]
) -> list[Any]:
    """Execute a Core statement on the bare driver, its parameters processed by their types as
    SQLAlchemy would (datetimes, JSON)."""
    key = (statement, frozenset(params))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = statement.compile(dialect=dialect, column_keys=list(params))  # type: ignore[attr-defined]
        assert isinstance(compiled, SQLCompiler)
        _COMPILED[key] = compiled
    values = compiled.construct_params(dict(params))
    processors: Mapping[str, Any] = compiled._bind_processors
    assert compiled.positiontup is not None
    ordered = [
        processors[name](values[name]) if name in processors else values[name]
        for name in compiled.positiontup
    ]
    try:
        return raw.execute(compiled.string, ordered).fetchall()
    except sqlite3.Error as error:
        # As SQLAlchemy raises it (IntegrityError and so on), for the callers' handlers.
        raise DBAPIError.instance(compiled.string, ordered, error, sqlite3.Error) from error
