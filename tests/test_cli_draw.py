"""`courses draw SLUG [--verify]`: a lottery drawn from the command line, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from courses.cli.draw import render_draw
from courses.clock import FixedClock
from courses.schedule import Schedule
from courses.services.context import ServiceContext
from courses.services.lottery.draw import DrawOutcome
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from tests.conftest import local
from tests.services.lottery_support import SLUG, add_lottery, apply_many, draw_entries, statuses
from tests.test_cli import point_cli_at, run, snapshot


@pytest.fixture
def lottery_url(
    db_url: str, seed_schedule: Schedule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The seeded database with a lottery course and seven applications."""

    async def prepare() -> None:
        db = Database.from_url(db_url)
        try:
            ctx = ServiceContext(
                db=db, clock=FixedClock(local(2022, 3, 1, 10, 0)), settings=Settings(db_url)
            )
            await import_schedule(ctx, seed_schedule)
            await add_lottery(ctx)
            await apply_many(ctx, 7)
        finally:
            await db.dispose()

    asyncio.run(prepare())
    return point_cli_at(db_url, tmp_path, monkeypatch)


def _in(url: str, check):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        db = Database.from_url(url)
        try:
            return await check(
                ServiceContext(db=db, clock=FixedClock(local(2022, 3, 1)), settings=Settings(url))
            )
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_draw_draws_now_and_a_second_run_says_it_was_drawn(
    lottery_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "draw", SLUG)
    assert code == 0
    assert "Lottade KBT i beroendevården (kbt-lottning-2022)" in out
    assert "3 av 7 sökande fick plats, 4 står på reservlistan" in out
    found = _in(lottery_url, statuses)
    assert sorted(found.values()).count("confirmed") == 3
    before = snapshot(lottery_url)
    code, out, _ = run(capsys, "draw", SLUG)
    assert code == 0
    assert "är redan lottad" in out
    assert "Inget ändrades" in out
    assert snapshot(lottery_url) == before
    assert _in(lottery_url, draw_entries) == 1


def test_verify_checks_the_recorded_draw(
    lottery_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "draw", SLUG, "--verify")
    assert code == 1
    assert "har inte lottats" in err
    run(capsys, "draw", SLUG)
    code, out, _ = run(capsys, "draw", SLUG, "--verify")
    assert code == 0
    assert "stämmer: fröet" in out
    assert "samma 3 platser bland 7 sökande" in out


def test_drawing_an_unknown_or_first_come_course_is_refused(
    lottery_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "draw", "finns-inte")
    assert (code, err.strip()) == (1, "Det finns ingen kurs som heter 'finns-inte'.")
    code, _, err = run(capsys, "draw", "asi-grund-2022")
    assert code == 1
    assert "lottar inte sina platser" in err


def test_the_draw_says_how_many_winners_wait_for_their_manager() -> None:
    outcome = DrawOutcome(
        SLUG,
        "KBT i beroendevården",
        True,
        local(2022, 3, 1, 10, 0),
        7,
        applications=5,
        seated=2,
        waitlisted=3,
        pending_approval=2,
    )
    out = render_draw(outcome, Settings("sqlite:///unused.db"))
    assert "2 av 5 sökande fick plats (2 väntar på chefens godkännande), 3 står" in out
