"""How long importing a schedule of 1 000 courses takes, and where the time goes.

    .venv/bin/python bench/import_schedule.py [--courses 1000] [--employers 20] [--rounds 3]
        [--profile 12] [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
        [--sqlite | --no-sqlite]

A generated schedule (`schedule_gen.py`: employers, courses with 1-3 formats and 1-4 sessions,
leaders, caps, deadlines) is parsed and validated as `courses seed` does (`parse_schedule`),
then imported through the service (`import_schedule` with a real ServiceContext) on a fresh,
migrated database of each kind (`harness.py`):

- parse: `parse_schedule` of the file's text (TOML and validation), no database;
- first import: into an empty database (a copy of a migrated one, each round);
- no-op re-import: the same file again, nothing changes;
- changed re-import: 10 % of the courses changed (a title, or session 1's time), on a copy of a
  database with the file imported and registrations on some of the courses (some full, with a
  waitlist), so change notices are queued; and the same as a dry run;
- `courses seed FILE` from process start to exit (parse, migration check, import, report), into
  a fresh database and then again (a no-op), as an admin runs it.

The service measured is the `courses` this interpreter imports: for an A/B, run this file with
another checkout's `.venv/bin/python` too (`commit` in every line says which was measured).

Prints one JSON line per database and phase: the best and every round in seconds, the SQL
statements (executemany counted once, with its rows), the time spent in them, and the
report's counts. Then, on stderr, a cProfile of one more run of each phase (top functions by
own time, and the project's functions by cumulative time), and the statements by kind.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import io
import json
import pstats
import re
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import schedule_gen
from harness import (
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    database_options,
    free_port,
    positive,
    progress,
    run_databases,
    service_env,
)
from sqlalchemy import event

import courses
from courses.clock import FixedClock
from courses.schedule import Schedule, parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationForm, register
from courses.services.schedule.importing import Action, ImportReport, import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

# The checkout whose `courses` this interpreter imports: run the benchmark with another
# checkout's `.venv/bin/python` to measure that one (an A/B in the same noise).
CHECKOUT = Checkout(Path(courses.__file__).resolve().parent.parent)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.combine(schedule_gen.CLOCK_DAY, datetime.min.time(), STOCKHOLM) + timedelta(hours=10)


class Statements:
    """Counts the SQL statements an engine runs and the time spent in them."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()
        self.rows = 0
        self.seconds = 0.0
        self._started = 0.0

    def attach(self, db: Database) -> None:
        sync = db.engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before)
        event.listen(sync, "after_cursor_execute", self._after)

    def _before(
        self, _conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool
    ) -> None:
        self.kinds[_kind(statement)] += 1
        self.rows += len(params) if many else 1
        self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        self.seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.kinds.clear()
        self.rows, self.seconds = 0, 0.0

    @property
    def count(self) -> int:
        return sum(self.kinds.values())


_TABLE = re.compile(r"^\s*(\w+)\b(?:.*?\b(?:FROM|INTO|UPDATE)\s+\"?(\w+))?", re.S | re.I)


def _kind(statement: str) -> str:
    """`SELECT course`, `UPDATE course_format`, `BEGIN`: the verb and the first table."""
    found = _TABLE.match(statement)
    if found is None:
        return statement[:20]
    verb = found[1].upper()
    if verb == "UPDATE":
        table = statement.split()[1].strip('"')
        return f"UPDATE {table}"
    return f"{verb} {found[2]}" if found[2] else verb


def _context(url: str) -> tuple[ServiceContext, Statements]:
    db = Database.from_url(url)
    settings = Settings(database_url=url, base_url="http://bench.invalid")
    counter = Statements()
    counter.attach(db)
    return ServiceContext(db=db, clock=FixedClock(NOW), settings=settings), counter


def _counts(report: ImportReport) -> dict[str, int]:
    found = Counter(item.action for item in report.items if item.kind == "course")
    return {
        "created": found[Action.CREATED],
        "changed": found[Action.CHANGED],
        "unchanged": found[Action.UNCHANGED],
        "notified": report.notified,
        "promoted": report.promoted,
    }


Phase = Callable[[ServiceContext], Awaitable[ImportReport]]


async def _timed(url: str, phase: Phase, profile: cProfile.Profile | None = None) -> dict[str, Any]:
    ctx, statements = _context(url)
    try:
        if profile is not None:
            profile.enable()
        started = time.perf_counter()
        report = await phase(ctx)
        elapsed = time.perf_counter() - started
        if profile is not None:
            profile.disable()
    finally:
        await ctx.db.dispose()
    return {
        "seconds": elapsed,
        "statements": statements.count,
        "rows": statements.rows,
        "sql_s": round(statements.seconds, 3),
        "kinds": statements.kinds,
        **_counts(report),
    }


def _importing(schedule: Schedule, *, dry_run: bool = False) -> Phase:
    return lambda ctx: import_schedule(ctx, schedule, dry_run=dry_run, source="bench")


async def _migrate(url: str) -> None:
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()


async def _register_some(url: str, schedule: Schedule, courses: list[int]) -> int:
    """Three registrants on each of `courses` (a waitlist where the cap is small)."""
    ctx, _ = _context(url)
    made = 0
    try:
        for index in courses:
            spec = schedule.course[index]
            if spec.status != "published":
                continue
            for n in range(3 if (spec.seats or 99) > 4 else 6):
                employer = 1 + (index + n) % len(schedule.employer)
                form = RegistrationForm(
                    name=f"Deltagare {index}-{n}",
                    email=f"deltagare.{index}.{n}@{schedule_gen.employer_domain(employer)}",
                    employer=schedule.employer[employer - 1].key,
                    workplace="Beroendemottagningen",
                    works_in_field=True,
                    format=spec.format[n % len(spec.format)].key,
                )
                try:
                    await register(ctx, spec.slug, form)
                    made += 1
                except Exception as exc:  # a capped format without a waitlist: fine
                    if type(exc).__name__ != "CourseFull":
                        raise
    finally:
        await ctx.db.dispose()
    return made


def _line(db: str | None, phase: str, runs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    last = runs[-1]
    figures = {k: v for k, v in last.items() if k not in ("seconds", "kinds")}
    return {
        "database": db,
        "phase": phase,
        "best_s": round(min(r["seconds"] for r in runs), 3),
        "runs_s": [round(r["seconds"], 3) for r in runs],
        **figures,
        **extra,
    }


def _show_profile(title: str, profile: cProfile.Profile, top: int, kinds: Counter[str]) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    out.write(f"\n===== {title}: own time =====\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write(f"===== {title}: the project's functions, cumulative =====\n")
    stats.sort_stats("cumulative").print_stats(r"courses/(services|storage|schedule)", top)
    out.write(f"===== {title}: statements by kind =====\n")
    for kind, count in kinds.most_common(top):
        out.write(f"  {count:7d}  {kind}\n")
    text = re.sub(r"\n *(Ordered by|List reduced from).*", "", out.getvalue())
    progress(text.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", ""))


def _seeding(
    db: Sqlite | Postgres, template: str, folder: Path, rounds: int
) -> Iterator[dict[str, Any]]:
    """`courses seed FILE` as an admin runs it, from process start to exit: into a fresh
    database, then the same file again."""
    path = folder / "schedule.toml"
    first, again = [], []
    for r in range(rounds):
        with db.database(f"cli{r}", copy_of=template) as url:
            env = service_env(url, free_port(), folder)
            for runs in (first, again):
                started = time.perf_counter()
                CHECKOUT.cli(["seed", str(path)], env)
                runs.append({"seconds": time.perf_counter() - started})
    yield _line(db.name, "courses seed, first", first)
    yield _line(db.name, "courses seed, no-op", again)


def run(
    db: Sqlite | Postgres, args: argparse.Namespace, folder: Path, text: str, changed_text: str
) -> Iterator[dict[str, Any]]:
    schedule, changed = parse_schedule(text), parse_schedule(changed_text)
    rounds, name = args.rounds, db.name
    profiles: list[tuple[str, cProfile.Profile, Counter[str]]] = []

    def profiled(title: str, url: str, phase: Phase) -> None:
        if args.profile:
            profile = cProfile.Profile()
            found = asyncio.run(_timed(url, phase, profile))
            profiles.append((f"{name}, {title}", profile, found["kinds"]))

    with db.database("template") as template:
        asyncio.run(_migrate(template))
        progress(f"{name}: first import ×{rounds}")
        runs = []
        for r in range(rounds):
            with db.database(f"first{r}", copy_of=template) as url:
                runs.append(asyncio.run(_timed(url, _importing(schedule))))
        yield _line(name, "first import", runs)
        with db.database("profile-first", copy_of=template) as url:
            profiled("first import", url, _importing(schedule))
        progress(f"{name}: courses seed ×{rounds}")
        yield from _seeding(db, template, folder, rounds)

        with db.database("imported", copy_of=template) as imported:
            asyncio.run(_timed(imported, _importing(schedule)))
            progress(f"{name}: no-op re-import ×{rounds}")
            runs = [asyncio.run(_timed(imported, _importing(schedule))) for _ in range(rounds)]
            yield _line(name, "no-op re-import", runs)
            profiled("no-op re-import", imported, _importing(schedule))

            # Registrations on every changed course and as many unchanged ones.
            picked = sorted(set(args.changed_indexes) | {i + 5 for i in args.changed_indexes})
            made = asyncio.run(_register_some(imported, schedule, picked))
            progress(f"{name}: {made} registrations; changed re-import ×{rounds}")
            runs = []
            for r in range(rounds):
                with db.database(f"changed{r}", copy_of=imported) as url:
                    runs.append(asyncio.run(_timed(url, _importing(changed))))
            yield _line(name, "changed re-import", runs, registrations=made)
            runs = [
                asyncio.run(_timed(imported, _importing(changed, dry_run=True)))
                for _ in range(rounds)
            ]
            yield _line(name, "changed re-import, dry run", runs, registrations=made)
            with db.database("profile-changed", copy_of=imported) as url:
                profiled("changed re-import", url, _importing(changed))
    for title, profile, kinds in profiles:
        _show_profile(title, profile, args.profile, kinds)


def _parse_line(text: str, rounds: int) -> dict[str, Any]:
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        parse_schedule(text)
        runs.append({"seconds": time.perf_counter() - started})
    return _line(None, "parse", runs, bytes=len(text.encode()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=positive, default=1000)
    parser.add_argument("--employers", type=positive, default=20)
    parser.add_argument("--rounds", type=positive, default=3, help="best of (3)")
    parser.add_argument("--profile", type=int, default=12, help="top functions (12; 0: none)")
    parser.add_argument("--save", type=Path, help="also write the generated file here")
    database_options(parser)
    args = parser.parse_args()

    courses = schedule_gen.generate(args.courses)
    text = schedule_gen.render(courses, employers=args.employers)
    edited = copy.deepcopy(courses)
    args.changed_indexes = schedule_gen.change(edited, share=0.1)
    changed_text = schedule_gen.render(edited, employers=args.employers)
    if args.save:
        args.save.write_text(text, encoding="utf-8")
    commit = CHECKOUT.commit()
    print(json.dumps({**_parse_line(text, args.rounds), "courses": args.courses}), flush=True)

    def measure(db: Sqlite | Postgres, folder: Path) -> Iterator[dict[str, Any]]:
        (folder / "schedule.toml").write_text(text, encoding="utf-8")
        for line in run(db, args, folder, text, changed_text):
            yield {**line, "commit": commit}

    return run_databases(args, measure)


if __name__ == "__main__":
    sys.exit(main())
