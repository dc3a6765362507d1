"""Bring a database to the newest schema with Alembic; the service does it on start."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "pending_revisions",
    "revisions_after",
    "upgrade",
]

_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _foreign_keys(connection: Connection, on: bool) -> None:
    """SQLite only, and only outside a transaction: a batch migration copies a table, drops
    the original and renames the copy, which enforced foreign keys would refuse."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


async def _migrate(engine: AsyncEngine, step: Callable[[Connection], None]) -> None:
    async with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await conn.run_sync(_foreign_keys, False)
        try:
            async with conn.begin():
                if conn.dialect.name == "postgresql":
                    await conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
                await conn.run_sync(step)
                if sqlite:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).first()
                    if broken is not None:
                        raise RuntimeError(f"migration left a broken foreign key: {broken}")
        finally:
            if sqlite:
                await conn.run_sync(_foreign_keys, True)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate to `revision`. On PostgreSQL an advisory lock keeps two instances starting at
    once from running the same migration twice."""
    await _migrate(engine, lambda connection: _upgrade(connection, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Step back to `revision` ("base" empties the database); for operators and tests."""
    await _migrate(
        engine, lambda connection: command.downgrade(alembic_config(connection), revision)
    )


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(read)


def revisions_after(current: str | None) -> list[tuple[str, str]]:
    """The migrations after `current` (None: all of them), oldest first: (id, title)."""
    script = ScriptDirectory.from_config(alembic_config())
    pending = script.iterate_revisions("heads", current or "base")
    return [(rev.revision, rev.doc or "") for rev in reversed(list(pending))]


async def pending_revisions(engine: AsyncEngine) -> list[tuple[str, str]]:
    """The migrations `upgrade` would run on this database, oldest first: (id, title)."""
    return revisions_after(await current_revision(engine))
