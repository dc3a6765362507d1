"""PostgreSQL connections: dead pooled ones are replaced before a request meets them, and a
single-statement connection commits each statement by itself."""

from __future__ import annotations

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
    """Use the one pooled connection, then end its server process from outside."""
    async with database.read() as conn:
        backend = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    other = Database.from_url(database.engine.url.render_as_string(hide_password=False))
    try:
        async with other.read() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    finally:
        await other.dispose()


async def test_a_connection_that_lay_idle_is_pinged_and_a_dead_one_replaced(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_S", 0.0)
    try:
        await _kill_pooled_connection(pg)
        async with pg.read() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await pg.dispose()


async def test_without_the_ping_a_dead_pooled_connection_reaches_the_request(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: a connection handed back a moment ago is not pinged."""
    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE_S", 3600.0)
    try:
        await _kill_pooled_connection(pg)
        with pytest.raises(DBAPIError) as failed:
            async with pg.read() as conn:
                await conn.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated
        async with pg.read() as conn:  # the disconnect emptied the pool
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
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
