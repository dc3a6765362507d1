"""The national data set against one county's: the pages and API calls an organizer's people
use, importing an organizer's courses, the daily purge and the idle service's memory.

    .venv/bin/python bench/national.py [--scale 1.0] [-n 100] [--keep DIR]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

Per database kind, two databases built by `national_data.py` through the real import and
bulk rows: one county (organizer `region-01`: 300 courses, 14 employers, 14 286 × scale
registrations) and the national set (21 such organizers, 290 employers, 300 000 × scale
registrations); `--keep DIR` keeps the national one (a file in DIR on SQLite, a database
`bench_national_...` on the PostgreSQL server, dropped only by hand) and copies it on the next
run instead of building it again. Then, on each:

- `courses serve --mail-worker off` and, per request, -n sequential requests over one
  keep-alive connection after a warm-up (the time measured is the server's; loopback adds a
  few hundredths of a millisecond), with an admin token of `region-01` or the leader token of
  its course with 300 registrants, as `Authorization: Bearer`. One JSON line per request:
  `request`, `path`, `median_ms`, `p95_ms`, `bytes`, and on the national line `county_ms` and
  `ratio` (national / county median). Targets: `median_ms` under 20 ms (50 ms for the exports
  and the statistics) and `ratio` under 1.5.
  The catalogue is `/` on the county's database (its only organizer's key redirects there).
- `idle_rss_mb`: the serve process's resident memory after the requests and 5 idle seconds
  (target: under 150 MB on the national set).
- `import_first_s`: importing a new organizer's file (14 employers, 300 courses) through the
  import service; `import_noop_s`: `region-01`'s file again, median of three (target: under
  1 s).
- the purge (`courses.services.retention.purge`, as the worker's daily run does, with
  `COURSES_RETENTION_DAYS=365`): `purge_s` (target: under 60 s on the national set),
  `purged` registrations (about a third), `batches`, `progress_calls` and `max_batch_ms`, the
  longest write transaction of a batch, that is the longest any registration row stayed
  locked (target: under 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import national_data as data
import national_schedule as plan
from harness import (
    HOST,
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    database_options,
    free_port,
    positive,
    progress,
    query,
    run_databases,
    service_env,
    serving,
)

from courses.clock import FixedClock
from courses.domain.permissions import Role
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.retention.purge import PurgeProgress, purge
from courses.services.schedule.importing import import_schedule
from courses.services.staff import api_tokens
from courses.settings import Settings
from courses.storage.db import Database

WARM_UP = 10
BIG = plan.course_slug(1, plan.BIG_COURSE)
UPCOMING = plan.course_slug(1, 250)
# (name, path on the national set, path on the county's, token, target in ms)
REQUESTS = [
    ("organizer catalogue", "/region-01", "/", None, 20),
    ("course page", f"/kurser/{UPCOMING}", None, None, 20),
    ("/kursledare", "/kursledare", None, "leader", 20),
    ("leader's course page (300)", f"/kursledare/{BIG}", None, "leader", 20),
    ("/admin", "/admin", None, "admin", 20),
    ("GET /api/courses?organizer=", "/api/courses?organizer=region-01", None, None, 20),
    ("attendee export csv (300)", f"/api/courses/{BIG}/attendees.csv", None, "admin", 50),
    ("attendee export xlsx (300)", f"/api/courses/{BIG}/attendees.xlsx", None, "admin", 50),
    ("statistics", "/api/admin/stats", None, "admin", 50),
]


def _context(url: str, **settings: Any) -> ServiceContext:
    configured = Settings(database_url=url, base_url="http://bench.invalid", **settings)
    clock = FixedClock(datetime.now(UTC))
    return ServiceContext(db=Database.from_url(url), clock=clock, settings=configured)


async def _tokens(url: str) -> dict[str, str]:
    ctx = _context(url)
    try:
        admin = await api_tokens.create_token(
            ctx, Role.ADMIN, label="bench", organizer_key="region-01"
        )
        leader = await api_tokens.create_token(
            ctx, Role.LEADER, label="bench", email=plan.leader_email(1)
        )
    finally:
        await ctx.db.dispose()
    return {"admin": admin.token, "leader": leader.token}


def _time(port: int, path: str, token: str | None, requests: int) -> dict[str, Any]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    times, size = [], 0
    for i in range(WARM_UP + requests):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
        if i >= WARM_UP:
            times.append(elapsed * 1000)
            size = len(body)
    connection.close()
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[max(int(len(times) * 0.95) - 1, 0)], 2),
        "bytes": size,
    }


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _serve(
    url: str, folder: Path, label: str, args: argparse.Namespace
) -> Iterator[dict[str, Any]]:
    tokens = asyncio.run(_tokens(url))
    port = free_port()
    env = service_env(url, port, folder, retention_days="365")
    log = folder / f"serve-{label}.log"
    with serving(Checkout(ROOT).serve(port, "off"), env, log, port) as server:
        for name, path, county_path, token, target in REQUESTS:
            if label == "county" and county_path:
                path = county_path
            figures = _time(port, path, tokens[token] if token else None, args.requests)
            yield {"request": name, "path": path, "target_ms": target, **figures}
        time.sleep(5)
        yield {"request": "idle", "idle_rss_mb": _rss_mb(server.pid), "target_mb": 150}


async def _importing(url: str, organizers: int) -> dict[str, Any]:
    today = date.today()
    new = parse_schedule(plan.schedule_text(organizers + 1, 14, today))
    again = parse_schedule(plan.schedule_text(1, plan.employer_counts(organizers)[0], today))
    ctx = _context(url)
    try:
        started = time.perf_counter()
        await import_schedule(ctx, new, source="new.toml")
        first = time.perf_counter() - started
        noop = []
        for _ in range(3):
            started = time.perf_counter()
            await import_schedule(ctx, again, source="again.toml")
            noop.append(time.perf_counter() - started)
    finally:
        await ctx.db.dispose()
    return {
        "import_first_s": round(first, 3),
        "import_noop_s": round(statistics.median(noop), 3),
        "target_s": 1.0,
    }


async def _purging(url: str) -> dict[str, Any]:
    ctx = _context(url, retention_days=365)
    holds: list[float] = []
    write = ctx.db.write

    @asynccontextmanager
    async def timed_write() -> AsyncIterator[Any]:
        started = time.perf_counter()
        async with write() as conn:
            yield conn
        holds.append(time.perf_counter() - started)

    ctx.db.write = timed_write  # type: ignore[method-assign]
    calls = 0

    def told(_step: PurgeProgress) -> None:
        nonlocal calls
        calls += 1

    try:
        started = time.perf_counter()
        report = await purge(ctx, progress=told)
        seconds = time.perf_counter() - started
    finally:
        await ctx.db.dispose()
    return {
        "purge_s": round(seconds, 2),
        "purged": report.registrations,
        "courses": len(report.courses),
        "batches": len(holds),
        "progress_calls": calls,
        "max_batch_ms": round(max(holds, default=0) * 1000, 1),
        "median_batch_ms": round(statistics.median(holds) * 1000, 1) if holds else 0,
        "target_s": 60,
        "target_batch_ms": 100,
    }


def _kept(db: Sqlite | Postgres, args: argparse.Namespace) -> str | None:
    """The kept national database's URL, built first if it is not there yet."""
    if args.keep is None:
        return None
    name = f"national_{args.organizers}x{round(args.scale * 1000)}"
    if isinstance(db, Sqlite):
        args.keep.mkdir(parents=True, exist_ok=True)
        path = args.keep / f"{name}.db"
        url = f"sqlite:///{path}"
        if path.exists():
            return url
    else:
        name = f"bench_{name}"
        url = db.url.set(database=name).render_as_string(hide_password=False)
        admin = db.url.render_as_string(hide_password=False)
        found = query(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if found:
            return url
        query(admin, f'CREATE DATABASE "{name}"', autocommit=True)
    progress(f"{db.name}: building the kept national set {name} ...")
    progress(str(asyncio.run(data.build(url, organizers=args.organizers, scale=args.scale))))
    return url


def run(db: Sqlite | Postgres, folder: Path, args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    kept = _kept(db, args)
    base = {"database": db.name, "scale": args.scale}
    with db.database("county") as county, db.database("national", copy_of=kept) as national:
        progress(f"{db.name}: building one county ...")
        built = asyncio.run(data.build(county, organizers=1, scale=args.scale))
        yield {**base, "set": "county", "build": built}
        if kept is None:
            progress(f"{db.name}: building the national set ...")
            built = asyncio.run(data.build(national, organizers=args.organizers, scale=args.scale))
            yield {**base, "set": "national", "build": built}
        medians: dict[str, float] = {}
        for label, url in (("county", county), ("national", national)):
            progress(f"{db.name}: {label}: requests ...")
            for line in _serve(url, folder, label, args):
                if label == "county" and "median_ms" in line:
                    medians[line["request"]] = line["median_ms"]
                elif "median_ms" in line:
                    county_ms = medians[line["request"]]
                    line["county_ms"] = county_ms
                    line["ratio"] = round(line["median_ms"] / county_ms, 2)
                yield {**base, "set": label, **line}
            progress(f"{db.name}: {label}: import ...")
            yield {**base, "set": label, **asyncio.run(_importing(url, args.organizers))}
            progress(f"{db.name}: {label}: purge ...")
            yield {**base, "set": label, **asyncio.run(_purging(url))}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", "--requests", type=positive, default=100)
    parser.add_argument("--scale", type=float, default=1.0, help="of the registrations (1.0)")
    parser.add_argument("--organizers", type=positive, default=plan.ORGANIZERS)
    parser.add_argument("--keep", type=Path, help="keep the national set here (SQLite)")
    database_options(parser)
    args = parser.parse_args()
    return run_databases(args, lambda db, folder: run(db, folder, args))


if __name__ == "__main__":
    sys.exit(main())
