"""How long the course editor's preview takes: moving one session of a course with 300
registrants, as a dry-run import of that one course (`save_course(..., dry_run=True)`).

    .venv/bin/python bench/editor_preview.py [--registrants 300] [--rounds 9] [--profile]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

A fresh, migrated database of each kind (`harness.py`) gets one organizer, one employer and a
course of four sessions with room for 250 and a waitlist; `--registrants` people register
through the service (250 confirmed, the rest waiting). Each round opens the course in the
editor, moves its second session a day, and previews the change: the import's checks, the
writes, the notices (four invites per confirmed registrant) and the counting of the outbox
rows, then the rollback. Prints one JSON line per database: the median and every round in
milliseconds, and what the preview says; `--profile` adds a cProfile of one more round.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from harness import Postgres, Sqlite, database_options, positive, progress, run_databases

from courses.clock import FixedClock
from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationForm, register
from courses.services.schedule.editor import open_course, save_course
from courses.services.schedule.importing import import_schedule
from courses.services.schedule.preview import mail_lines
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.organizers import organizer_by_key

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
SLUG = "bench-kurs-2026"
SCHEDULE = f"""
[organizer]
key = "bench"
name = "Bänkarrangör"

[[employer]]
key = "vaxjo"
name = "Växjö kommun"
kind = "municipality"
domains = ["vaxjo.se"]

[[course]]
slug = "{SLUG}"
title = "Kurs med många anmälda"
leaders = [{{ name = "Anna Hamle", email = "anna.hamle@vaxjo.se" }}]
deadline = 2026-09-01
seats = 250

[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "https://mote.example.se/kurs"

[[course.session]]
date = 2026-09-14
start = 09:00:00
end = 16:00:00

[[course.session]]
date = 2026-09-15
start = 09:00:00
end = 16:00:00

[[course.session]]
date = 2026-11-10

[[course.session]]
date = 2027-05-04
"""


def _context(url: str) -> ServiceContext:
    settings = Settings(database_url=url, base_url="http://bench.invalid")
    return ServiceContext(db=Database.from_url(url), clock=FixedClock(NOW), settings=settings)


async def _prepare(url: str, registrants: int) -> None:
    ctx = _context(url)
    try:
        await upgrade(ctx.db.engine)
        await import_schedule(ctx, parse_schedule(SCHEDULE, source="bench.toml"))
        for n in range(registrants):
            form = RegistrationForm(
                name=f"Deltagare {n}",
                email=f"deltagare{n}@vaxjo.se",
                employer="vaxjo",
                workplace="Beroendemottagningen",
                works_in_field=True,
            )
            await register(ctx, SLUG, form)
    finally:
        await ctx.db.dispose()


async def _previews(url: str, rounds: int, profile: bool) -> dict[str, Any]:
    ctx = _context(url)
    try:
        async with ctx.db.read() as conn:
            organizer = await organizer_by_key(conn, "bench")
        assert organizer is not None
        admin = Actor(label="admin", admin_of=frozenset({organizer.id}))

        async def preview() -> Any:
            form = await open_course(ctx, admin, SLUG)
            sessions = list(form.entry.session)
            sessions[1] = msgspec.structs.replace(sessions[1], date=date(2026, 9, 16))
            moved = msgspec.structs.replace(form.entry, session=sessions)
            return await save_course(ctx, admin, moved, revision=form.revision, dry_run=True)

        await preview()  # warm: the first round pays for connections and caches
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            found = await preview()
            times.append((time.perf_counter() - started) * 1000)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            await preview()
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
            print(out.getvalue(), file=sys.stderr)
        return {
            "median_ms": round(statistics.median(times), 1),
            "rounds_ms": [round(t, 1) for t in times],
            "registrants": found.registrants,
            "changes": found.changes,
            "mails": mail_lines(found.mails),
        }
    finally:
        await ctx.db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrants", type=positive, default=300)
    parser.add_argument("--rounds", type=positive, default=9)
    parser.add_argument("--profile", action="store_true")
    database_options(parser)
    args = parser.parse_args()

    def measure(db: Sqlite | Postgres, _folder: Path) -> list[dict[str, Any]]:
        with db.database("editor_preview") as url:
            progress(f"{db.name}: {args.registrants} registrants ...")
            asyncio.run(_prepare(url, args.registrants))
            found = asyncio.run(_previews(url, args.rounds, args.profile))
            return [{"database": db.name, "target_ms": 200, **found}]

    return run_databases(args, measure)


if __name__ == "__main__":
    sys.exit(main())
