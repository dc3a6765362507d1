"""PostgreSQL connections: dead pooled ones are replaced before a request meets them, and a
single-statement connection commits each statement by itself."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from courses.storage import db as storage_db
from courses.storage.db import Database


@pytest.fixture
async def pg(postgres_database: str) -> Database:
    return Database.from_url(postgres_database, pool_size=1)


async def _kill_pooled_connection(database: Database) -> None:
    """Use the one pooled connection, then end its server process from outside, as a restart
    of PostgreSQL ends every session."""
    async with database.read() as conn:
        backend = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        driver = (await conn.get_raw_connection()).driver_connection
    other = Database.from_url(database.engine.url.render_as_string(hide_password=False))
    try:
        async with other.read() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    finally:
        await other.dispose()
    # Until the driver has read the server's goodbye (an outcome, not a timing).
    deadline = asyncio.get_running_loop().time() + 30
    while not driver.is_closed():
        assert asyncio.get_running_loop().time() < deadline, "the driver never saw the close"
        await asyncio.sleep(0.01)


async def _answers(database: Database) -> bool:
    async with database.read() as conn:
        return bool((await conn.execute(text("SELECT 1"))).scalar_one() == 1)


async def test_a_connection_the_server_closed_is_replaced_without_waiting(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Used a moment ago, so not pinged: the driver's own knowledge is enough."""
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_S", 3600.0)
    try:
        await _kill_pooled_connection(pg)
        assert await _answers(pg)
    finally:
        await pg.dispose()


async def test_without_the_checks_a_dead_pooled_connection_reaches_the_request(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: neither asking the driver nor pinging, the request meets the dead one."""
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_S", 3600.0)
    monkeypatch.setattr(storage_db, "closed_by_server", lambda _connection: False)
    try:
        await _kill_pooled_connection(pg)
        with pytest.raises(DBAPIError) as failed:
            await _answers(pg)
        assert failed.value.connection_invalidated
        assert await _answers(pg)  # the disconnect emptied the pool
    finally:
        await pg.dispose()


async def test_a_connection_that_lay_idle_is_pinged_and_replaced_if_the_ping_fails(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection may be dead without the driver knowing (a network that dropped it): one
    that lay unused is pinged, and one that fails its ping is replaced."""
    dialect = pg.engine.sync_engine.dialect
    pinged: list[object] = []

    def failing_ping(connection: object) -> bool:
        pinged.append(connection)
        raise ConnectionResetError("no answer")

    try:
        assert await _answers(pg)
        monkeypatch.setattr(dialect, "do_ping", failing_ping)
        monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_S", 3600.0)
        assert await _answers(pg)
        assert pinged == []  # in use a moment ago
        monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_S", 0.0)
        assert await _answers(pg)  # on a new connection
        assert len(pinged) == 1
    finally:
        await pg.dispose()


async def test_a_single_statement_commits_by_itself_and_the_pool_gets_it_back_as_it_was(
    pg: Database,
) -> None:
    table = f"single_{uuid.uuid4().hex[:8]}"
    other = Database.from_url(pg.engine.url.render_as_string(hide_password=False))

    async def seen() -> list[int]:
        async with other.read() as conn:
            return list((await conn.execute(text(f"SELECT x FROM {table}"))).scalars())

    try:
        async with pg.single_statement() as conn:
            await conn.execute(text(f"CREATE TABLE {table} (x int)"))
            await conn.execute(text(f"INSERT INTO {table} VALUES (1)"))
            assert await seen() == [1]  # committed while the block still runs
        async with pg.write() as conn:  # the same pooled connection, in a transaction again
            await conn.execute(text(f"INSERT INTO {table} VALUES (2)"))
            assert await seen() == [1]
        assert sorted(await seen()) == [1, 2]
    finally:
        async with other.single_statement() as conn:
            await conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
        await other.dispose()
        await pg.dispose()
