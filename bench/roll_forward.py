"""How long rolling 300 courses a year forward takes as a dry run (target: under 2 s).

    .venv/bin/python bench/roll_forward.py [--courses 300] [--employers 20] [--rounds 5]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

A generated schedule (`schedule_gen.py`: courses with 1-3 formats and 1-4 sessions through
one year, leaders, caps, deadlines, opening days) is imported into a fresh, migrated database
of each kind (`harness.py`); then `roll_forward` (52 weeks, every course, as the admin of the
organizer) runs as the page's "Förhandsgranska" runs it:

- dry run: plan the copies (read the courses and the slugs in use, move every day, name the
  holidays) and import them into a transaction that is rolled back, best of the rounds;
- where the time goes: the same dry run once more under cProfile, the cumulative seconds of
  its parts (reading, planning, holidays, the rolled-back import) and its SQL statements;
- create: one real roll-forward, the 300 drafts written (for comparison).

Prints one JSON line per database and phase.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import schedule_gen
from harness import Postgres, Sqlite, database_options, positive, progress, run_databases
from import_schedule import Statements

from courses.clock import FixedClock
from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.services.schedule.roll_forward import CopyPlan, roll_forward
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.organizers import all_organizers

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.combine(schedule_gen.CLOCK_DAY, datetime.min.time(), STOCKHOLM) + timedelta(hours=10)
# The parts of a dry run, by the function that does each (cumulative time under cProfile).
PARTS = {
    "read courses": "courses_by_slugs",
    "slugs in use": "slugs_in_use",
    "copy entries": "copied_spec",
    "holidays": "days_off",
    "import, rolled back": "import_schedule",
}


def _context(url: str) -> tuple[ServiceContext, Statements]:
    db = Database.from_url(url)
    counter = Statements()
    counter.attach(db)
    settings = Settings(database_url=url, base_url="http://bench.invalid")
    return ServiceContext(db=db, clock=FixedClock(NOW), settings=settings), counter


async def _prepare(url: str, text: str) -> tuple[list[str], Actor]:
    ctx, _ = _context(url)
    try:
        await upgrade(ctx.db.engine)
        schedule = parse_schedule(text)
        await import_schedule(ctx, schedule, source="bench")
        async with ctx.db.read() as conn:
            [organizer] = await all_organizers(conn)
    finally:
        await ctx.db.dispose()
    actor = Actor(label="bench admin", admin_of=frozenset({organizer.id}))
    return [c.slug for c in schedule.course], actor


async def _roll(
    url: str, slugs: list[str], actor: Actor, *, dry_run: bool, profile: cProfile.Profile | None
) -> tuple[float, CopyPlan, Statements]:
    ctx, statements = _context(url)
    try:
        if profile is not None:
            profile.enable()
        started = time.perf_counter()
        plan = await roll_forward(ctx, actor, slugs, dry_run=dry_run)
        elapsed = time.perf_counter() - started
        if profile is not None:
            profile.disable()
    finally:
        await ctx.db.dispose()
    return elapsed, plan, statements


def _parts(profile: cProfile.Profile) -> dict[str, float]:
    stats = pstats.Stats(profile)
    found: dict[str, float] = {}
    for (_file, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for part, function in PARTS.items():
            if name == function:
                found[part] = round(found.get(part, 0.0) + cumulative, 3)
    return found


def run(db: Sqlite | Postgres, args: argparse.Namespace, text: str) -> Iterator[dict[str, Any]]:
    with db.database("rolled") as url:
        progress(f"{db.name}: importing {args.courses} courses")
        slugs, actor = asyncio.run(_prepare(url, text))
        progress(f"{db.name}: dry run ×{args.rounds}")
        runs = [
            asyncio.run(_roll(url, slugs, actor, dry_run=True, profile=None))
            for _ in range(args.rounds)
        ]
        seconds = [round(r[0], 3) for r in runs]
        plan, statements = runs[0][1], runs[0][2]
        yield {
            "database": db.name,
            "phase": "roll forward, dry run",
            "courses": len(plan.copies),
            "sessions on holidays": sum(len(c.holidays) for c in plan.copies),
            "best_s": min(seconds),
            "runs_s": seconds,
            "statements": statements.count,
            "sql_s": round(statements.seconds, 3),
            "target_s": 2.0,
        }
        profile = cProfile.Profile()
        elapsed, _plan, _ = asyncio.run(_roll(url, slugs, actor, dry_run=True, profile=profile))
        yield {
            "database": db.name,
            "phase": "dry run, where the time goes (cProfile, cumulative)",
            "total_s": round(elapsed, 3),
            **_parts(profile),
        }
        progress(f"{db.name}: creating the drafts")
        elapsed, plan, statements = asyncio.run(
            _roll(url, slugs, actor, dry_run=False, profile=None)
        )
        yield {
            "database": db.name,
            "phase": "roll forward, drafts created",
            "courses": len(plan.copies),
            "seconds": round(elapsed, 3),
            "statements": statements.count,
            "sql_s": round(statements.seconds, 3),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=positive, default=300)
    parser.add_argument("--employers", type=positive, default=20)
    parser.add_argument("--rounds", type=positive, default=5, help="best of (5)")
    database_options(parser)
    args = parser.parse_args()
    text = schedule_gen.render(schedule_gen.generate(args.courses), employers=args.employers)
    return run_databases(args, lambda db, _folder: run(db, args, text))


if __name__ == "__main__":
    raise SystemExit(main())
