"""How long a big lottery's draw takes, end to end, on SQLite and PostgreSQL.

    .venv/bin/python bench/lottery.py [-n 10000] [--seats 200] [--employers 300] [--rounds 3] \
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test]

Per database: a fresh migrated database with `--employers` employers and one lottery course
(`--seats` seats; a digital format capped at half of them and an on-site one without a cap of
its own; three sessions, so each seat's confirmation is three outbox rows, one invite each),
and `-n` applications spread unevenly over the employers (a few big municipalities, many
small ones), inserted in bulk. Then each round, on a copy of that database, times
`courses.services.lottery.draw.draw`: the one transaction that claims the draw, reads the
applications, draws, confirms the winners, waitlists the rest, recounts the seats, writes
every mail to the outbox and the audit entry, and commits. Target: under 2 s.

Prints one JSON line per database: the median and best wall time of the rounds, the draw's
process CPU, and what it wrote (seated, waitlisted, outbox rows), checked against the database.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import Postgres, Sqlite, database_options, positive, progress, run_databases
from sqlalchemy import func, select

from courses.clock import FixedClock
from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw
from courses.services.schedule.importing import import_schedule
from courses.services.tokens import hash_token
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.tables import (
    course_table,
    employer_table,
    format_table,
    outbox_table,
    registration_table,
)

SLUG = "bench-lottning"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _schedule(employers: int, seats: int) -> str:
    lines = ['[organizer]\nkey = "bench"\nname = "Bänkarrangör"\n']
    for n in range(employers):
        lines.append(
            f'[[employer]]\nkey = "e{n}"\nname = "Arbetsgivare {n}"\n'
            f'kind = "municipality"\ndomains = ["e{n}.example.se"]\n'
        )
    lines.append(
        f"""
[[course]]
slug = "{SLUG}"
title = "Lottningsbänk"
deadline = 2026-04-01
seats = {seats}
allocation = "lottery"
[[course.format]]
key = "digital"
kind = "digital"
seats = {seats // 2}
meeting_url = "https://meet.example.se/bench"
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2026-04-20
[[course.session]]
date = 2026-04-21
[[course.session]]
date = 2026-04-22
"""
    )
    return "\n".join(lines)


def _employer_of(n: int, employers: int) -> int:
    """Uneven: every third application from the ten biggest employers."""
    return n % 10 if n % 3 == 0 else n % employers


async def _prepare(url: str, *, applications: int, employers: int, seats: int) -> None:
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=FixedClock(NOW), settings=Settings(database_url=url))
        await import_schedule(ctx, parse_schedule(_schedule(employers, seats)))
        async with db.write() as conn:
            course_id = (
                await conn.execute(select(course_table.c.id).where(course_table.c.slug == SLUG))
            ).scalar_one()
            formats = [
                int(i)
                for i in (
                    await conn.execute(
                        select(format_table.c.id)
                        .where(format_table.c.course_id == course_id)
                        .order_by(format_table.c.position)
                    )
                ).scalars()
            ]
            employer_ids = {
                key: int(i)
                for key, i in await conn.execute(select(employer_table.c.key, employer_table.c.id))
            }
            rows = []
            for n in range(applications):
                e = _employer_of(n, employers)
                rows.append(
                    {
                        "course_id": course_id,
                        "format_id": formats[n % 2],
                        "employer_id": employer_ids[f"e{e}"],
                        "name": f"Sökande {n}",
                        "email": f"sokande{n}@e{e}.example.se",
                        "email_key": f"sokande{n}@e{e}.example.se",
                        "workplace": "Beroendemottagningen",
                        "status": "applied",
                        "queue_no": n + 1,
                        "token_hash": hash_token(secrets.token_urlsafe(16)),
                        "token_nonce": secrets.token_hex(8),
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
            await conn.execute(registration_table.insert(), rows)
            await conn.execute(
                course_table.update()
                .where(course_table.c.id == course_id)
                .values(queue_counter=applications)
            )
    finally:
        await db.dispose()


async def _draw_once(url: str) -> dict[str, Any]:
    db = Database.from_url(url)
    try:
        ctx = ServiceContext(db=db, clock=FixedClock(NOW), settings=Settings(database_url=url))
        async with db.read() as conn:  # a warm connection, as a running worker has
            await conn.execute(select(1))
        cpu, wall = time.process_time(), time.perf_counter()
        outcome = await draw(ctx, SLUG, actor=Actor.command_line(), seed=20260301)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        async with db.read() as conn:
            reg = registration_table.c
            counts = dict(
                (await conn.execute(select(reg.status, func.count()).group_by(reg.status))).all()
            )
            mails = (await conn.execute(select(func.count()).select_from(outbox_table))).scalar()
        return {
            "wall_s": wall,
            "cpu_s": cpu,
            "seated": outcome.seated,
            "waitlisted": outcome.waitlisted,
            "confirmed_rows": counts.get("confirmed", 0),
            "waitlisted_rows": counts.get("waitlisted", 0),
            "outbox_rows": mails,
        }
    finally:
        await db.dispose()


def _measure(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    def measure(db: Sqlite | Postgres, _folder: Path) -> Iterator[dict[str, Any]]:
        with db.database("lottery_template") as template:
            progress(f"{db.name}: {args.n} applications for {args.seats} seats ...")
            asyncio.run(
                _prepare(template, applications=args.n, employers=args.employers, seats=args.seats)
            )
            rounds = []
            for number in range(1, args.rounds + 1):
                with db.database(f"lottery_{number}", copy_of=template) as url:
                    found = asyncio.run(_draw_once(url))
                    progress(f"{db.name}: round {number}: {found['wall_s']:.3f} s")
                    rounds.append(found)
        walls = [r["wall_s"] for r in rounds]
        last = rounds[-1]
        yield {
            "database": db.name,
            "applications": args.n,
            "seats": args.seats,
            "employers": args.employers,
            "rounds": len(rounds),
            "draw_wall_s_median": round(statistics.median(walls), 3),
            "draw_wall_s_best": round(min(walls), 3),
            "draw_cpu_s_median": round(statistics.median(r["cpu_s"] for r in rounds), 3),
            "seated": last["seated"],
            "waitlisted": last["waitlisted"],
            "outbox_rows": last["outbox_rows"],
            "checked": last["confirmed_rows"] == last["seated"]
            and last["waitlisted_rows"] == last["waitlisted"]
            and last["outbox_rows"] == 3 * last["seated"] + last["waitlisted"],
            "target_s": 2.0,
        }

    return measure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=positive, default=10_000, help="applications")
    parser.add_argument("--seats", type=positive, default=200)
    parser.add_argument("--employers", type=positive, default=300)
    parser.add_argument("--rounds", type=positive, default=3)
    database_options(parser)
    args = parser.parse_args()
    return run_databases(args, _measure(args))


if __name__ == "__main__":
    sys.exit(main())
