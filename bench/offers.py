"""Timed waitlist offers at scale: 1,000 cancellations on full courses, then the worker's
round that lets the 1,000 held offers lapse and offers each seat to the next person.

    .venv/bin/python bench/offers.py [--courses 1000] [--waiting 10] [--seats 2] \
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

Per database: a fresh migrated database with `--courses` courses imported through the import
service (`offer_hours = 48`, `--seats` seats, one digital format, two sessions in September),
each full: `--seats` confirmed registrations and `--waiting` people on its waitlist, inserted in
bulk with their counters. Then, with the clock at 1 March 2026:

- `cancel_s`: one confirmed registration of every course cancelled by its manage link
  (`courses.services.registration.cancellation.cancel_registration`, one after another, each
  its own transaction): each cancellation holds the freed seat for the first person waiting
  (status `offered`, 48 hours) and queues their mail;
- `lapse_s`: the clock shifted 49 hours, one `lapse_due_offers` (the worker's housekeeping
  step): every held offer lapses (back on the waitlist, last in line, with its mail) and the
  seat is offered to the next person waiting. Target: under 5 s for 1,000;
- `offers_per_s`: lapses (each with its next offer) per second of that round;
- `checked`: afterwards, every course holds exactly `--seats` seats by its counter and by its
  rows, one offer is open per course (to the second in line), every first one is waiting with
  outcome `lapsed`, and the outbox has one `offered` mail per offer and one `offer_lapsed` per
  lapse.

Prints one JSON line per database.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import Postgres, Sqlite, database_options, positive, progress, run_databases
from sqlalchemy import func, select, update

from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.offers.expiry import lapse_due_offers
from courses.services.registration.cancellation import cancel_registration
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

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TARGET_S = 5.0
DOMAIN = "bench.example.se"


def _slug(n: int) -> str:
    return f"erbjudande-{n:04d}"


def _schedule(courses: int, seats: int) -> str:
    lines = [
        '[organizer]\nkey = "bench"\nname = "Bänkarrangör"\n',
        f'[[employer]]\nkey = "bench"\nname = "Bänkkommunen"\nkind = "municipality"\n'
        f'domains = ["{DOMAIN}"]\n',
    ]
    for n in range(courses):
        lines.append(
            f"""
[[course]]
slug = "{_slug(n)}"
title = "Erbjudandekurs {n}"
deadline = 2026-08-20
seats = {seats}
offer_hours = 48
[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "https://meet.example.se/bench"
[[course.session]]
date = 2026-09-{1 + n % 28:02d}
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2026-09-{2 + n % 28:02d}
start = 09:00:00
end = 16:00:00
"""
        )
    return "\n".join(lines)


def _context(db: Database, url: str) -> ServiceContext:
    clock = FixedClock(NOW)
    return ServiceContext(db=db, clock=clock, settings=Settings(database_url=url))


def _row(course_id: int, format_id: int, employer_id: int, n: int, *, seated: bool) -> dict:
    token = secrets.token_urlsafe(16)
    email = f"person{n}.{course_id}@{DOMAIN}"
    return {
        "course_id": course_id,
        "format_id": format_id,
        "employer_id": employer_id,
        "name": f"Deltagare {n}",
        "email": email,
        "email_key": email,
        "workplace": "Beroendemottagningen",
        "status": "confirmed" if seated else "waitlisted",
        "queue_no": n,
        "token_hash": hash_token(token),
        "token_nonce": None,
        "created_at": NOW,
        "updated_at": NOW,
        "confirmed_at": NOW if seated else None,
        "_token": token,
    }


async def _prepare(url: str, *, courses: int, waiting: int, seats: int) -> list[str]:
    """The full courses; returns one confirmed registration's manage token per course."""
    db = Database.from_url(url)
    try:
        await upgrade(db.engine)
        ctx = _context(db, url)
        await import_schedule(ctx, parse_schedule(_schedule(courses, seats)))
        tokens: list[str] = []
        async with db.write() as conn:
            employer_id = (await conn.execute(select(employer_table.c.id))).scalar_one()
            formats = await conn.execute(
                select(course_table.c.id, format_table.c.id).join(
                    format_table, format_table.c.course_id == course_table.c.id
                )
            )
            rows = []
            for course_id, format_id in formats.all():
                for n in range(1, seats + waiting + 1):
                    row = _row(course_id, format_id, employer_id, n, seated=n <= seats)
                    if n == 1:
                        tokens.append(row["_token"])
                    del row["_token"]
                    rows.append(row)
            await conn.execute(registration_table.insert(), rows)
            await conn.execute(
                update(course_table).values(confirmed_count=seats, queue_counter=seats + waiting)
            )
            await conn.execute(update(format_table).values(confirmed_count=seats))
        return tokens
    finally:
        await db.dispose()


async def _count(conn: Any, query: Any) -> int:
    return int((await conn.execute(query)).scalar_one())


async def _checks(db: Database, *, courses: int, seats: int) -> dict[str, Any]:
    reg, course, out = registration_table.c, course_table.c, outbox_table.c
    holding = ["confirmed", "pending_approval", "offered"]
    async with db.read() as conn:
        held = await conn.execute(
            select(course.confirmed_count, func.count(reg.id))
            .join(registration_table, reg.course_id == course.id)
            .where(reg.status.in_(holding))
            .group_by(course.id, course.confirmed_count)
        )
        counts = held.all()
        offered = await _count(conn, select(func.count()).where(reg.status == "offered"))
        second = await _count(
            conn, select(func.count()).where(reg.status == "offered", reg.queue_no == seats + 2)
        )
        lapsed = await _count(
            conn,
            select(func.count()).where(reg.status == "waitlisted", reg.offer_outcome == "lapsed"),
        )
        mails = dict((await conn.execute(select(out.kind, func.count()).group_by(out.kind))).all())
    return {
        "seats_exact": len(counts) == courses and all(c == n == seats for c, n in counts),
        "offered_rows": offered,
        "offered_to_the_next": second,
        "lapsed_rows": lapsed,
        "offered_mails": mails.get("offered", 0),
        "offer_lapsed_mails": mails.get("offer_lapsed", 0),
    }


async def _run(url: str, tokens: list[str], *, seats: int) -> dict[str, Any]:
    db = Database.from_url(url)
    try:
        ctx = _context(db, url)
        async with db.read() as conn:  # a warm connection, as a running service has
            await conn.execute(select(1))
        started = time.perf_counter()
        for token in tokens:
            await cancel_registration(ctx, token)
        cancel_s = time.perf_counter() - started
        progress(f"  {len(tokens)} cancellations: {cancel_s:.2f} s")
        ctx.clock.set(NOW + timedelta(hours=49))  # type: ignore[attr-defined]
        cpu, started = time.process_time(), time.perf_counter()
        lapsed = await lapse_due_offers(ctx)
        lapse_s, cpu = time.perf_counter() - started, time.process_time() - cpu
        progress(f"  lapse round: {lapsed} lapsed in {lapse_s:.2f} s")
        checks = await _checks(db, courses=len(tokens), seats=seats)
    finally:
        await db.dispose()
    n = len(tokens)
    checked = (
        checks["seats_exact"]
        and lapsed == n
        and checks["offered_rows"] == checks["offered_to_the_next"] == n
        and checks["lapsed_rows"] == n
        and checks["offered_mails"] == 2 * n
        and checks["offer_lapsed_mails"] == n
    )
    return {
        "cancellations": n,
        "cancel_s": round(cancel_s, 3),
        "cancellations_per_s": round(n / cancel_s, 1),
        "lapsed": lapsed,
        "lapse_s": round(lapse_s, 3),
        "lapse_cpu_s": round(cpu, 3),
        "offers_per_s": round(lapsed / lapse_s, 1),
        **checks,
        "checked": checked,
        "target_s": TARGET_S,
        "meets_target": checked and lapse_s < TARGET_S,
    }


def _measure(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    def measure(db: Sqlite | Postgres, _folder: Path) -> Iterator[dict[str, Any]]:
        with db.database("offers") as url:
            progress(f"{db.name}: {args.courses} full courses, {args.waiting} waiting each ...")
            started = time.perf_counter()
            tokens = asyncio.run(
                _prepare(url, courses=args.courses, waiting=args.waiting, seats=args.seats)
            )
            progress(f"  set up in {time.perf_counter() - started:.1f} s")
            found = asyncio.run(_run(url, tokens, seats=args.seats))
        yield {"database": db.name, "courses": args.courses, "waiting": args.waiting, **found}

    return measure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=positive, default=1000)
    parser.add_argument("--waiting", type=positive, default=10, help="people waiting per course")
    parser.add_argument("--seats", type=positive, default=2, help="seats per course")
    database_options(parser)
    args = parser.parse_args()
    return run_databases(args, _measure(args))


if __name__ == "__main__":
    sys.exit(main())
