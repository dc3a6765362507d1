"""Which errors mean "the database cannot be reached right now" rather than a bug.

Seen on this stack: PostgreSQL stopped or restarting gives `ConnectionRefusedError` on connect
(asyncpg, not wrapped by SQLAlchemy) and, for a query in flight, a `DBAPIError` with SQLSTATE
08003 and `connection_invalidated`; a server still starting refuses with 57P03; an unknown host
is a `socket.gaierror`; an SQLite file that cannot be opened is `SQLITE_CANTOPEN`. All of these
pass once the database is back: a failed ping of a connection that lay idle, or the disconnect
itself, empties the pool (`courses.storage.db`), and new connections replace the dead ones.
"""

from __future__ import annotations

import socket
import traceback

from sqlalchemy import exc as sa_exc

__all__ = ["is_outage"]

# Connection exception, insufficient resources (too many connections, disk full), operator
# intervention (shutdown, crash, cannot connect now). Not 57014: a cancelled query.
_PG_SQLSTATES = ("08", "53", "57P")
_SQLITE_ERRORS = (
    "SQLITE_CANTOPEN",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_PERM",
    "SQLITE_NOTADB",
)
_DRIVER_MODULES = ("asyncpg", "aiosqlite", "sqlalchemy", "sqlite3")


def is_outage(exc: BaseException) -> bool:
    """True when `exc` says the database is unreachable or unusable for now (retry later)."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or (exc.orig is not None and _unavailable(exc.orig))
    return _unavailable(exc)


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError | socket.gaierror):
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate.startswith(_PG_SQLSTATES):
        return True
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str) and name.startswith(_SQLITE_ERRORS):
        return True
    # Other network errors of a connect (no route to host, asyncio's "Multiple exceptions"
    # when every address of a name failed) are plain OSErrors: count those the driver raised.
    return isinstance(exc, OSError) and _raised_in_driver(exc)


def _raised_in_driver(exc: BaseException) -> bool:
    return any(
        str(frame.f_globals.get("__name__", "")).startswith(_DRIVER_MODULES)
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )
