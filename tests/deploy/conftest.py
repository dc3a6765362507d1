"""A seeded PostgreSQL database for the deployment tests (several instances need PostgreSQL),
one per test module: starting two instances and nginx takes seconds, so a module's tests share
them (each test uses client addresses and people of its own)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from courses.cli import main
from courses.storage.db import make_engine
from courses.storage.tables import metadata
from tests.conftest import SEEDS
from tests.deploy.support import SECRET_KEY


@pytest.fixture(scope="module")
def seeded_url(postgres_database: str) -> str:
    """The test run's PostgreSQL database, emptied, with the employers and the demo schedule
    (open today) imported."""
    tables = ", ".join(t.name for t in metadata.sorted_tables)

    async def truncate() -> None:
        engine = make_engine(postgres_database)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(truncate())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSES_DATABASE_URL", postgres_database)
        patch.setenv("COURSES_SECRET_KEY", SECRET_KEY)
        assert main(["seed", str(SEEDS / "employers.toml")]) == 0
        assert main(["seed", str(SEEDS / "schedule-2022.toml"), "--demo"]) == 0
    return postgres_database
