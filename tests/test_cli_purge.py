"""`courses purge [--dry-run]`: the retention purge from the command line, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from courses.clock import FixedClock
from courses.schedule import Schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from tests.conftest import local
from tests.services.retention_support import lived_through_lvm, personal_data_left
from tests.test_cli import point_cli_at, run, snapshot


@pytest.fixture
def lvm_url(
    db_url: str, seed_schedule: Schedule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list[str]]:
    """The seeded database with three LVM registrants of 2022 (long past their retention by
    the real clock the command uses), and what they told us."""

    async def prepare() -> list[str]:
        db = Database.from_url(db_url)
        try:
            ctx = ServiceContext(
                db=db, clock=FixedClock(local(2022, 3, 1, 10, 0)), settings=Settings(db_url)
            )
            await import_schedule(ctx, seed_schedule)
            return [n for r in await lived_through_lvm(ctx) for n in r.person.needles]
        finally:
            await db.dispose()

    needles = asyncio.run(prepare())
    return point_cli_at(db_url, tmp_path, monkeypatch), needles


def _left(url: str, needles: list[str]) -> list[str]:
    async def scan() -> list[str]:
        db = Database.from_url(url)
        try:
            async with db.read() as conn:
                return await personal_data_left(conn, needles)
        finally:
            await db.dispose()

    return asyncio.run(scan())


def test_a_dry_run_lists_what_would_be_purged_and_writes_nothing(
    lvm_url: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = lvm_url
    before = snapshot(url)

    code, out, err = run(capsys, "purge", "--dry-run")

    assert (code, err) == (0, "")
    assert "(provkörning, inget ändrades)" in out
    assert (
        "  lvm-forelasning-2022 (LVM föreläsning, sista kursdag 29 mars 2022): 3 anmälningar, "
        "4 mejl, 1 närvaromarkering skulle gallras"
    ) in out
    assert "Totalt skulle 3 anmälningar i 1 kurs gallras." in out
    assert snapshot(url) == before


def test_purge_removes_the_personal_data_and_says_per_course_what_went(
    lvm_url: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, needles = lvm_url
    assert _left(url, needles) != []  # control

    code, out, _ = run(capsys, "purge")

    assert code == 0
    assert "3 anmälningar, 4 mejl, 1 närvaromarkering gallrade" in out
    assert "Totalt gallrades 3 anmälningar i 1 kurs." in out
    assert _left(url, needles) == []
    _, again, _ = run(capsys, "purge")
    assert "Inget att gallra" in again


def test_a_purge_in_several_batches_shows_its_progress(
    lvm_url: tuple[str, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "purge", "--batch-size", "2")

    assert code == 0
    assert "kurs 1 av 1, lvm-forelasning-2022: 2 av 3 anmälningar gallrade" in err
    assert "Totalt gallrades 3 anmälningar i 1 kurs." in out


def test_purge_with_retention_off_purges_nothing(
    lvm_url: tuple[str, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = lvm_url
    monkeypatch.setenv("COURSES_RETENTION_DAYS", "0")
    before = snapshot(url)

    code, out, _ = run(capsys, "purge")

    assert code == 0
    assert out.strip() == "Gallringen är avstängd (COURSES_RETENTION_DAYS=0): inget gallrades."
    assert snapshot(url) == before


@pytest.mark.parametrize("value", ["ett år", "-5"])
def test_a_retention_that_is_not_a_number_of_days_is_refused_readably(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    point_cli_at(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, monkeypatch)
    monkeypatch.setenv("COURSES_RETENTION_DAYS", value)

    code, out, err = run(capsys, "purge", "--dry-run")

    assert (code, out) == (2, "")
    assert err.startswith("Fel i inställningarna: COURSES_RETENTION_DAYS ")
    assert not (tmp_path / "x.db").exists()


def test_a_batch_size_that_is_not_a_positive_number_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "purge", "--batch-size", "0")
    assert exit_.value.code == 2
    assert "ett heltal större än 0, inte '0'" in capsys.readouterr().err
