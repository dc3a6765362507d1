"""The `courses` command line: importing schedule files, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from courses.cli import main
from courses.storage.db import Database
from courses.storage.tables import course_table, metadata, session_table
from tests.conftest import SEEDS

EMPLOYERS = SEEDS / "employers.toml"
SCHEDULE = SEEDS / "schedule-2022.toml"
STOCKHOLM = ZoneInfo("Europe/Stockholm")

Snapshot = dict[str, list[tuple[Any, ...]]]


def point_cli_at(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in list(os.environ):
        if name.startswith("COURSES_") and name != "COURSES_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COURSES_DATABASE_URL", url)
    monkeypatch.setenv("COURSES_SECRET_KEY", "a-test-key-that-is-not-the-development-one")
    monkeypatch.chdir(tmp_path)
    return url


@pytest.fixture
def cli_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The database the CLI is pointed at through `COURSES_DATABASE_URL`.

    On SQLite a new, empty file, so the CLI's own migration runs too; on PostgreSQL the
    migrated and emptied test database.
    """
    url = f"sqlite:///{tmp_path / 'x.db'}" if db_url.startswith("sqlite") else db_url
    return point_cli_at(url, tmp_path, monkeypatch)


@pytest.fixture
def no_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """For commands refused before they touch a database: the SQLite file they must not make."""
    path = tmp_path / "x.db"
    point_cli_at(f"sqlite:///{path}", tmp_path, monkeypatch)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def snapshot(url: str) -> Snapshot:
    """Every row of every table, to prove that a command wrote nothing."""

    async def read() -> Snapshot:
        db = Database.from_url(url)
        try:
            async with db.read() as conn:
                return {
                    table.name: sorted(
                        (tuple(row) for row in (await conn.execute(select(table))).all()), key=repr
                    )
                    for table in metadata.sorted_tables
                }
        finally:
            await db.dispose()

    return asyncio.run(read())


def courses(url: str) -> dict[str, dict[str, Any]]:
    async def read() -> dict[str, dict[str, Any]]:
        db = Database.from_url(url)
        try:
            async with db.read() as conn:
                rows = (await conn.execute(select(course_table))).all()
                found = {row.slug: dict(row._mapping) for row in rows}
                days = await conn.execute(
                    select(course_table.c.slug, session_table.c.day)
                    .join(session_table, session_table.c.course_id == course_table.c.id)
                    .order_by(course_table.c.slug, session_table.c.position)
                )
                for slug, day in days.all():
                    found[slug].setdefault("days", []).append(day)
                return found
        finally:
            await db.dispose()

    return asyncio.run(read())


def changed_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = SCHEDULE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "schedule-changed.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- importing -------------------------------------------------------------------------------


def test_seed_creates_every_employer_and_says_so(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "seed", EMPLOYERS)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{EMPLOYERS}:"
    assert "  arbetsgivare vaxjo: skapad" in lines
    assert "  arbetsgivare region-kronoberg: skapad" in lines
    assert "  arrangör kronoberg-beroende: skapad" in lines
    assert lines[-1] == "10 skapade, 0 ändrade, 0 oförändrade."
    assert len(snapshot(cli_db)["employer"]) == 9


def test_seed_creates_the_courses_of_the_schedule(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "seed", SCHEDULE)

    assert code == 0
    assert "  kurs asi-grund-2022: skapad" in out.splitlines()
    # A file without [organizer] on an empty database makes the organizer it belongs to.
    assert "  arrangör default: skapad" in out.splitlines()
    assert out.splitlines()[-1] == "6 skapade, 0 ändrade, 0 oförändrade."
    stored = courses(cli_db)
    assert stored["asi-grund-2022"]["seats"] == 4
    assert stored["asi-grund-2022"]["days"] == [
        date(2022, 9, 14),
        date(2022, 9, 15),
        date(2022, 11, 10),
        date(2023, 5, 4),
    ]


def test_second_import_of_the_same_file_changes_nothing(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "seed", EMPLOYERS)
    run(capsys, "seed", SCHEDULE)
    before = snapshot(cli_db)

    code, out, err = run(capsys, "seed", SCHEDULE)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[1:6] == [
        "  kurs lvm-forelasning-2022: oförändrad",
        "  kurs aterfallsprevention-2022: oförändrad",
        "  kurs asi-metodstod-2022: oförändrad",
        "  kurs asi-grund-2022: oförändrad",
        "  kurs hap-2022: oförändrad",
    ]
    assert lines[-1] == "Inget ändrades: databasen stämmer redan med filen."
    assert snapshot(cli_db) == before


def test_second_import_of_the_employers_changes_nothing(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "seed", EMPLOYERS)
    before = snapshot(cli_db)

    _, out, _ = run(capsys, "seed", EMPLOYERS)

    assert "  arbetsgivare almhult: oförändrad" in out.splitlines()
    assert "Inget ändrades" in out
    assert snapshot(cli_db) == before


def test_dry_run_reports_what_would_be_created_and_writes_nothing(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "seed", SCHEDULE, "--dry-run")

    assert code == 0
    assert out.splitlines()[0] == f"{SCHEDULE} (provkörning, inget sparades):"
    assert "  kurs hap-2022: skapad" in out.splitlines()
    assert out.splitlines()[-1] == "6 skapade, 0 ändrade, 0 oförändrade."
    assert all(rows == [] for rows in snapshot(cli_db).values())


def test_changed_file_reports_each_change(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "seed", SCHEDULE)
    changed = changed_copy(
        tmp_path,
        ("seats = 4", "seats = 6"),
        ("date = 2022-09-14", "date = 2022-09-21"),
    )

    code, out, err = run(capsys, "seed", changed)

    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        "  kurs asi-grund-2022: ändrad (platser: 4 → 6; kursdag 1 datum: 2022-09-14 → 2022-09-21)"
        in lines
    )
    assert "  kurs hap-2022: oförändrad" in lines
    assert lines[-1] == "0 skapade, 1 ändrade, 4 oförändrade."
    asi = courses(cli_db)["asi-grund-2022"]
    assert asi["seats"] == 6
    assert asi["days"][0] == date(2022, 9, 21)


def test_changed_session_times_are_reported(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "seed", SCHEDULE)
    changed = changed_copy(
        tmp_path, ("date = 2022-05-18\nstart = 09:00:00", "date = 2022-05-18\nstart = 10:00:00")
    )

    _, out, _ = run(capsys, "seed", changed)

    assert "  kurs asi-metodstod-2022: ändrad (kursdag 1 start: 09:00:00 → 10:00:00)" in out


def test_dry_run_of_a_changed_file_reports_the_change_and_writes_nothing(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "seed", SCHEDULE)
    before = snapshot(cli_db)
    changed = changed_copy(tmp_path, ("seats = 4", "seats = 6"))

    code, out, _ = run(capsys, "seed", changed, "--dry-run")

    assert code == 0
    assert "  kurs asi-grund-2022: ändrad (platser: 4 → 6)" in out.splitlines()
    assert snapshot(cli_db) == before


# --- refusing --------------------------------------------------------------------------------


def test_invalid_file_lists_every_problem_in_swedish_and_writes_nothing(
    cli_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "seed", SCHEDULE)
    before = snapshot(cli_db)
    broken = changed_copy(
        tmp_path,
        ('title = "HAP"', 'title = "HAP (ny titel)"'),  # a valid change that must not land
        ("seats = 4", "seats = 0"),
        ("deadline = 2022-05-01", "deadline = 2022-06-01"),
        ('key = "digital"\nkind = "digital"', 'key = "digital"\nkind = "digital"\nplace = "Växjö"'),
    )

    code, out, err = run(capsys, "seed", broken)

    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"{broken}: 3 fel, inget importerades:"
    assert (
        "  - course[1] (lvm-forelasning-2022).format[1].place: Ett digitalt format har ingen ort."
        in err
    )
    assert (
        "  - course[3] (asi-metodstod-2022).deadline: Sista anmälningsdag 2022-06-01 ligger "
        "efter första kursdagen 2022-05-18." in err
    )
    assert "  - course[4] (asi-grund-2022).seats: Måste vara minst 1." in err
    assert "Traceback" not in err
    assert snapshot(cli_db) == before


def test_toml_syntax_error_exits_1_with_a_readable_message(
    no_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('[[course]\nslug = "x"\n', encoding="utf-8")

    code, out, err = run(capsys, "seed", broken)

    assert (code, out) == (1, "")
    assert err.startswith(f"{broken}: 1 fel, inget importerades:\n  - Ogiltig TOML: ")
    assert not no_db.exists()


def test_a_file_nested_too_deep_exits_1_with_one_readable_problem(
    no_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000, encoding="utf-8")

    code, out, err = run(capsys, "seed", deep)

    assert (code, out) == (1, "")
    assert err == (
        f"{deep}: 1 fel, inget importerades:\n  - Filen har listor eller tabeller i fler än 16 "
        "nivåer; en schemafil behöver bara några få.\n"
    )
    assert not no_db.exists()


def test_missing_file_gives_a_readable_message(
    no_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "finns-inte.toml"

    code, out, err = run(capsys, "seed", missing)

    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"{missing}: 1 fel, inget importerades:"
    assert err.splitlines()[1].startswith("  - Kan inte läsa filen: ")
    assert not no_db.exists()


def test_file_that_is_not_utf8_gives_a_readable_message(
    no_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(SCHEDULE.read_text(encoding="utf-8").encode("latin-1"))

    code, _, err = run(capsys, "seed", latin1)

    assert code == 1
    assert "Filen är inte UTF-8." in err
    assert not no_db.exists()


def test_bad_setting_exits_2_with_a_readable_message(
    no_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COURSES_DATABASE_URL", "mysql://app@db/courses")

    code, out, err = run(capsys, "seed", SCHEDULE)

    assert (code, out) == (2, "")
    assert err.startswith("Fel i inställningarna: COURSES_DATABASE_URL: unsupported database")
    assert not no_db.exists()


# --- demo ------------------------------------------------------------------------------------


def test_demo_creates_labelled_copies_in_the_coming_weeks(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(STOCKHOLM).date()

    code, out, _ = run(capsys, "seed", SCHEDULE, "--demo")

    assert code == 0
    assert "  kurs demo-asi-grund-2022: skapad" in out.splitlines()
    stored = courses(cli_db)
    assert sorted(stored) == [
        "demo-asi-grund-2022",
        "demo-asi-metodstod-2022",
        "demo-aterfallsprevention-2022",
        "demo-hap-2022",
        "demo-lvm-forelasning-2022",
    ]
    assert all(course["title"].startswith("DEMO") for course in stored.values())
    assert min(course["deadline"] for course in stored.values()) >= today + timedelta(days=14)


def test_demo_leaves_the_real_courses_alone(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "seed", SCHEDULE)
    real = courses(cli_db)

    run(capsys, "seed", SCHEDULE, "--demo")

    stored = courses(cli_db)
    assert len(stored) == 10
    assert {slug: stored[slug] for slug in real} == real


def test_serve_links_point_where_it_listens_unless_a_base_url_is_set() -> None:
    from courses.cli.serve import serve_settings
    from courses.settings import Settings

    listening = serve_settings(Settings(), host="127.0.0.1", port=8123, environ={})
    everywhere = serve_settings(Settings(), host="0.0.0.0", port=80, environ={})
    configured = serve_settings(
        Settings(base_url="https://kurser.kronoberg.se"),
        host="127.0.0.1",
        port=8123,
        environ={"COURSES_BASE_URL": "https://kurser.kronoberg.se"},
    )

    assert listening.base_url == "http://127.0.0.1:8123"
    assert everywhere.base_url == "http://127.0.0.1:80"
    assert configured.base_url == "https://kurser.kronoberg.se"


@pytest.mark.parametrize(
    "command", [["migrate"], ["migrate", "--check"], ["mail-status"], ["worker", "--once"]]
)
def test_an_unreachable_database_is_a_readable_message_not_a_stack_trace(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    point_cli_at(f"postgresql://postgres@127.0.0.1:{port}/x", tmp_path, monkeypatch)

    code, _, err = run(capsys, *command)

    assert code == 2
    assert err.startswith("Databasen kan inte nås (postgresql+asyncpg, se COURSES_DATABASE_URL)")
    assert "Traceback" not in err


def test_a_worker_poll_interval_must_be_positive(
    no_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        main(["worker", "--poll", "0"])

    assert refused.value.code == 2
    assert "större än 0" in capsys.readouterr().err
    assert not no_db.exists()
