"""Shared fixtures: a migrated database per test on SQLite, and on PostgreSQL when
`COURSES_TEST_POSTGRES_URL` is set; a fixed clock; the real seed files."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from courses.clock import FixedClock
from courses.schedule import Schedule, load_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationForm, RegistrationReceipt, register
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database, make_engine
from courses.storage.migrate import upgrade
from courses.storage.tables import metadata
from tests.log_lines import restored_logging
from tests.mail.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
POSTGRES_URL = os.environ.get("COURSES_TEST_POSTGRES_URL", "").strip()

# One seat, no waitlist, registration open through April 2022 (the default clock is before).
COURSE_WITHOUT_WAITLIST = """
[[course]]
slug = "litet-seminarium"
title = "Litet seminarium"
deadline = 2022-05-01
opens = 2022-04-01
seats = 1
waitlist = false
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
seats = 1
[[course.session]]
date = 2022-05-10
"""

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def local(*args: int) -> datetime:
    """An aware datetime in Europe/Stockholm, e.g. local(2022, 3, 20, 23, 59)."""
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="COURSES_TEST_POSTGRES_URL is not set")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _logging_as_before() -> Iterator[None]:
    """A test that runs `courses.cli.main` (which sets up logging) leaves no handler behind."""
    with restored_logging():
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = make_engine(f"sqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test run, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("COURSES_TEST_POSTGRES_URL is not set")
    name = f"courses_test_{uuid.uuid4().hex[:10]}"
    admin_url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg")
    test_url = admin_url.set(database=name)

    async def admin(sql: str) -> None:
        engine = make_engine(admin_url.render_as_string(hide_password=False))
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(sql))
        await engine.dispose()

    async def migrate() -> None:
        engine = make_engine(test_url.render_as_string(hide_password=False))
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    asyncio.run(migrate())
    yield test_url.render_as_string(hide_password=False)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: a copied SQLite file or a truncated PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "courses.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    tables = ", ".join(t.name for t in metadata.sorted_tables)

    async def truncate() -> None:
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(truncate())
    return url


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd in its own thread) that records what it gets."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FixedClock:
    """Early 2022: the seeded schedule is open for registration (deadlines 20 March onwards)."""
    return FixedClock(local(2022, 3, 1, 10, 0))


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, base_url="http://kurser.test")


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database.from_url(settings.database_url, pool_size=20)
    yield db
    await db.dispose()


@pytest.fixture
def ctx(database: Database, clock: FixedClock, settings: Settings) -> ServiceContext:
    return ServiceContext(db=database, clock=clock, settings=settings)


@pytest.fixture(scope="session")
def seed_schedule() -> Schedule:
    employers = load_schedule(SEEDS / "employers.toml")
    courses = load_schedule(SEEDS / "schedule-2022.toml")
    return Schedule(
        organizer=employers.organizer, employer=employers.employer, course=courses.course
    )


@pytest.fixture
async def seeded(ctx: ServiceContext, seed_schedule: Schedule) -> ServiceContext:
    """The context with the real employers and 2022 schedule imported."""
    await import_schedule(ctx, seed_schedule)
    return ctx


def registrant(n: int | str = 1, **overrides: Any) -> dict[str, Any]:
    """The fields of a valid registration by a Växjö employee; `n` makes the address unique."""
    values: dict[str, Any] = {
        "name": f"Deltagare {n}",
        "email": f"deltagare{n}@vaxjo.se",
        "employer": "vaxjo",
        "workplace": "Beroendemottagningen",
        "works_in_field": True,
    }
    values.update(overrides)
    return values


def form(n: int | str = 1, **overrides: Any) -> RegistrationForm:
    """`registrant` as the service takes it."""
    return RegistrationForm(**registrant(n, **overrides))


ASI = "asi-grund-2022"  # four seats, four sessions, with a waitlist


async def fill_asi(
    ctx: ServiceContext, *, waiting: int = 1
) -> tuple[list[RegistrationReceipt], list[RegistrationReceipt]]:
    """ASI grundutbildning full: registrants 1-4 confirmed, then `waiting` on its waitlist
    (5, 6, ...)."""
    seated = [await register(ctx, ASI, form(n)) for n in range(1, 5)]
    queued = [await register(ctx, ASI, form(n)) for n in range(5, 5 + waiting)]
    return seated, queued
