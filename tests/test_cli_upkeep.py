"""`courses migrate --check`, the expand-then-contract rule for migrations, and the refusals of
`courses backup` (the copy itself and its restore: tests/test_backup_restore.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import re
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from courses.storage.db import make_engine
from courses.storage.migrate import alembic_config, upgrade
from tests.conftest import POSTGRES_URL
from tests.test_cli import point_cli_at, run

HEADS = ScriptDirectory.from_config(alembic_config())
ALL = [(rev.revision, rev.doc) for rev in reversed(list(HEADS.walk_revisions()))]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nothing has migrated yet: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    admin = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg")
    name = f"courses_check_{uuid.uuid4().hex[:10]}"

    async def sql(statement: str) -> None:
        engine = make_engine(admin.render_as_string(hide_password=False))
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
        await engine.dispose()

    asyncio.run(sql(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_migrate_check_names_what_is_pending_and_passes_once_migrated(
    empty_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_cli_at(empty_db, tmp_path, monkeypatch)

    code, out, _ = run(capsys, "migrate", "--check")

    assert code == 1
    assert not (tmp_path / "new.db").exists()  # a check changes nothing, makes no file
    assert f"{len(ALL)} migreringar väntar (kör `courses migrate`)" in out
    for revision, title in ALL:
        assert f"  {revision} {title}\n" in out
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "migrate", "--check") == (
        0,
        "Databasen är uppdaterad: inga migreringar väntar.\n",
        "",
    )


def test_migrate_check_on_a_database_one_release_behind_names_only_the_newest(
    empty_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def one_release_behind() -> None:
        engine = make_engine(empty_db)
        await upgrade(engine, ALL[-2][0])
        await engine.dispose()

    asyncio.run(one_release_behind())
    point_cli_at(empty_db, tmp_path, monkeypatch)

    code, out, _ = run(capsys, "migrate", "--check")

    revision, title = ALL[-1]
    assert (code, out) == (
        1,
        f"Databasen behöver uppdateras: 1 migrering väntar (kör `courses migrate`):\n"
        f"  {revision} {title}\n",
    )


# What a migration may not do in the release that still runs beside the previous one.
_CONTRACTING = {
    "drops a table": re.compile(r"^DROP TABLE", re.M),
    "drops a column": re.compile(r"\bDROP COLUMN\b"),
    "renames": re.compile(r"\bRENAME\b"),
    "changes a column's type": re.compile(r"\bALTER COLUMN \S+ TYPE\b"),
    "makes a column required": re.compile(r"\bSET NOT NULL\b"),
    "adds a required column without a default": re.compile(
        r"\bADD COLUMN (?:(?!DEFAULT)[^;])*NOT NULL(?:(?!DEFAULT)[^;])*;"
    ),
}


def upgrade_sql(revision: str) -> str:
    """What a migration's `upgrade()` says as PostgreSQL SQL (offline: no database needed)."""
    script = HEADS.get_revision(revision)
    assert script is not None
    assert script.path
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", script.path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    buffer = io.StringIO()
    context = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buffer}
    )
    with Operations.context(context):
        module.upgrade()
    return buffer.getvalue()


def contractions(sql: str) -> list[str]:
    return [what for what, pattern in _CONTRACTING.items() if pattern.search(sql)]


def test_the_newest_migration_only_expands_so_the_previous_release_runs_on_its_schema() -> None:
    """docs/architecture.md, "Migrations": a contraction waits for the release after. One that
    does contract says so on a line `Contracts: ...` in its docstring, naming what the previous
    release no longer used."""
    revision, _ = ALL[-1]
    script = HEADS.get_revision(revision)
    assert script is not None
    sql = upgrade_sql(revision)

    # the check reads the real SQL (a migration may only add a function or a trigger)
    assert any(word in sql for word in ("ADD COLUMN", "CREATE TABLE", "CREATE INDEX", "CREATE OR"))
    if "\nContracts: " not in (script.module.__doc__ or ""):
        assert contractions(sql) == []


def test_the_rule_check_catches_each_kind_of_contraction() -> None:
    samples = {
        "drops a table": "DROP TABLE employer;",
        "drops a column": "ALTER TABLE employer DROP COLUMN name;",
        "renames": "ALTER TABLE employer RENAME COLUMN name TO title;",
        "changes a column's type": "ALTER TABLE employer ALTER COLUMN name TYPE TEXT;",
        "makes a column required": "ALTER TABLE employer ALTER COLUMN name SET NOT NULL;",
        "adds a required column without a default": "ALTER TABLE e ADD COLUMN n INTEGER NOT NULL;",
    }
    for what, sql in samples.items():
        assert contractions(sql) == [what]
    assert contractions("ALTER TABLE e ADD COLUMN n INTEGER DEFAULT '0' NOT NULL;") == []
    assert contractions("ALTER TABLE e ADD COLUMN n TIMESTAMP WITH TIME ZONE;") == []


def test_backup_refuses_an_existing_file_without_force_and_replaces_it_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at(f"sqlite:///{tmp_path / 'courses.db'}", tmp_path, monkeypatch)
    assert run(capsys, "migrate")[0] == 0
    target = tmp_path / "kopia.db"
    target.write_text("en tidigare kopia")

    assert run(capsys, "backup", target) == (
        1,
        "",
        f"{target} finns redan; välj ett annat namn eller skriv över med --force.\n",
    )
    assert target.read_text() == "en tidigare kopia"
    code, out, err = run(capsys, "backup", target, "--force")
    assert (code, out) == (0, f"Databasen är kopierad till {target}.\n")
    assert err.endswith("sidor (100 %)\n")
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(ALL[-1][0],)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_backup_of_a_missing_file_or_into_a_missing_folder_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at(f"sqlite:///{tmp_path / 'saknas.db'}", tmp_path, monkeypatch)

    assert run(capsys, "backup", tmp_path / "kopia.db") == (
        2,
        "",
        f"Databasfilen {tmp_path / 'saknas.db'} finns inte, så det finns inget att kopiera.\n",
    )
    point_cli_at(f"sqlite:///{tmp_path / 'courses.db'}", tmp_path, monkeypatch)
    assert run(capsys, "migrate")[0] == 0
    assert run(capsys, "backup", tmp_path / "ny" / "kopia.db") == (
        1,
        "",
        f"Mappen {tmp_path / 'ny'} finns inte.\n",
    )
    assert run(capsys, "backup", tmp_path, "--force") == (
        1,
        "",
        f"{tmp_path} är en mapp; ange kopians filnamn, t.ex. {tmp_path / 'courses.db'}.\n",
    )


def test_backup_on_postgresql_points_to_pg_dump_and_pg_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at("postgresql://courses@127.0.0.1:1/courses", tmp_path, monkeypatch)

    code, out, err = run(capsys, "backup", tmp_path / "kopia.db")

    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "pg_dump" in err
    assert "pg_restore" in err
    assert "docs/operating.md" in err
    assert list(tmp_path.iterdir()) == []
