"""The Alembic migrations build exactly the schema the tables declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from courses.storage.db import Database
from courses.storage.migrate import current_revision, downgrade, head_revision, upgrade
from courses.storage.tables import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_migrated_database_matches_the_tables(database: Database) -> None:
    async with database.engine.connect() as conn:
        differences = await conn.run_sync(_differences)

    assert differences == []
    assert await current_revision(database.engine) == head_revision()


async def test_migrating_again_is_a_no_op(database: Database) -> None:
    await upgrade(database.engine)

    assert await current_revision(database.engine) == head_revision()


async def test_downgrade_and_upgrade_round_trip(database: Database) -> None:
    await downgrade(database.engine, "base")
    assert await current_revision(database.engine) is None

    await upgrade(database.engine)

    async with database.engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
