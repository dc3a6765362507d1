"""The attendee export of a course with 10 000 registrations, as CSV and as XLSX, end to end.

A fresh database per kind gets the seeds' employers and one course, then 10 000 registrations
and attendance for its four sessions, written in bulk. Each round asks the app for
`/api/courses/{slug}/attendees.csv` and `.xlsx` with an admin token (Litestar's test client
in this process: the database query, the permission check, the audit entry, the file built in
a worker thread and streamed), reading the body chunk by chunk. Printed: the best and median
of the rounds, the time to the first chunk, the size, and the Python heap's peak during one
export (tracemalloc), in JSON lines.

    .venv/bin/python bench/attendee_export.py [--rows 10000] [--rounds 5]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres] [--no-sqlite]

Target (issue 9): under 1 s each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from harness import Postgres, Sqlite, database_options, positive, progress, run_databases
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.domain.permissions import Role
from courses.schedule import load_schedule, parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.services.staff import api_tokens
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade
from courses.storage.staff_tables import attendance_table
from courses.storage.tables import course_table, employer_table, format_table, registration_table

ROOT = Path(__file__).resolve().parent.parent
SLUG = "stor-kurs"
COURSE = f"""
[[course]]
slug = "{SLUG}"
title = "Stor kurs"
deadline = 2030-03-01

[[course.format]]
key = "digital"
kind = "digital"

[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
""" + "".join(
    f"\n[[course.session]]\ndate = 2030-03-{10 + d}\nstart = 09:00:00\nend = 16:00:00\n"
    for d in range(4)
)
T0 = datetime(2030, 1, 10, 8, 0, tzinfo=UTC)


async def _fill(ctx: ServiceContext, rows: int) -> str:
    await import_schedule(ctx, load_schedule(ROOT / "seeds" / "employers.toml"))
    await import_schedule(ctx, parse_schedule(COURSE))
    async with ctx.db.write() as conn:
        course_id = (
            await conn.execute(course_table.select().where(course_table.c.slug == SLUG))
        ).first()[0]  # type: ignore[index]
        formats = [
            r[0]
            for r in await conn.execute(
                format_table.select().where(format_table.c.course_id == course_id)
            )
        ]
        employers = [r[0] for r in await conn.execute(employer_table.select())]
        first = ("Anna", "Björn", "Åsa", "Örjan", "Märta", "Lars", "Eva", "Kjell")
        last = ("Andersson", "Öberg", "Ström", "Lindqvist", "Åkesson", "Nyström")
        batch = []
        for n in range(rows):
            batch.append(
                {
                    "course_id": course_id,
                    "format_id": formats[n % 2],
                    "employer_id": employers[n % len(employers)],
                    "name": f"{first[n % 8]} {last[n % 6]} {n}",
                    "email": f"person{n}@vaxjo.se",
                    "email_key": f"person{n}@vaxjo.se",
                    "workplace": "Beroendemottagningen, Öster",
                    "phone": "0470-12 34 56" if n % 3 else None,
                    "status": "confirmed" if n % 10 else "waitlisted",
                    "queue_no": n + 1,
                    "token_hash": f"{n:064x}",
                    "created_at": T0 + timedelta(seconds=n),
                    "updated_at": T0 + timedelta(seconds=n),
                }
            )
        await conn.execute(registration_table.insert(), batch)
        ids = [
            r[0]
            for r in await conn.execute(
                registration_table.select().where(registration_table.c.status == "confirmed")
            )
        ]
        await conn.execute(
            attendance_table.insert(),
            [
                {
                    "registration_id": i,
                    "session_position": p,
                    "attended": (i + p) % 7 != 0,
                    "marked_at": T0,
                    "marked_by": "bench",
                }
                for i in ids
                for p in (1, 2, 3, 4)
            ],
        )
    token = await api_tokens.create_token(ctx, Role.ADMIN, label="bench")
    return token.token


async def _export(
    client: AsyncTestClient[Any], token: str, suffix: str
) -> tuple[float, float, int]:
    start = time.perf_counter()
    first = None
    size = 0
    async with client.stream(
        "GET",
        f"/api/courses/{SLUG}/attendees.{suffix}",
        headers={"Authorization": f"Bearer {token}"},
    ) as answer:
        assert answer.status_code == 200, answer.status_code
        async for chunk in answer.aiter_bytes():
            if first is None:
                first = time.perf_counter() - start
            size += len(chunk)
    return time.perf_counter() - start, first or 0.0, size


async def _measure(url: str, kind: str, rows: int, rounds: int) -> list[dict[str, Any]]:
    settings = Settings(database_url=url, secret_key="bench-" * 8)
    db = Database.from_url(url)
    await upgrade(db.engine)
    ctx = ServiceContext(db=db, clock=FixedClock(T0), settings=settings)
    progress(f"{kind}: {rows} registrations ...")
    token = await _fill(ctx, rows)
    await db.dispose()
    lines = []
    app = create_app(settings, clock=FixedClock(T0), migrate=False)
    async with AsyncTestClient(app, base_url="http://bench.test") as client:
        for suffix in ("csv", "xlsx"):
            await _export(client, token, suffix)  # warm: caches, imports
            times = [await _export(client, token, suffix) for _ in range(rounds)]
            tracemalloc.start()
            await _export(client, token, suffix)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            lines.append(
                {
                    "database": kind,
                    "export": suffix,
                    "rows": rows,
                    "best_s": round(min(t for t, _, _ in times), 3),
                    "median_s": round(statistics.median(t for t, _, _ in times), 3),
                    "first_chunk_s": round(min(f for _, f, _ in times), 3),
                    "bytes": times[0][2],
                    "peak_heap_mb": round(peak / 2**20, 1),
                }
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=positive, default=10_000)
    parser.add_argument("--rounds", type=positive, default=5)
    database_options(parser)
    args = parser.parse_args()

    def measure(db: Sqlite | Postgres, _folder: Path) -> list[dict[str, Any]]:
        with db.database("export") as url:
            return asyncio.run(_measure(url, db.name, args.rows, args.rounds))

    return run_databases(args, measure)


if __name__ == "__main__":
    raise SystemExit(main())
