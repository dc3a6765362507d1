"""How long the service takes to render the catalogue and a course page, with a full catalogue.

    .venv/bin/python bench/pages.py [-n 400] [--extra 200]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

Per database: a fresh database seeded through the CLI exactly as an admin does (the employers,
the real 2022 schedule, its demo copy and `--extra` generated courses in the coming months),
then `courses serve --mail-worker off` on a free port of 127.0.0.1, then `-n` sequential GETs
of each page over one keep-alive connection after a warm-up. One client, one request at a
time: the time measured is the server's (loopback adds a few hundredths of a millisecond).
Prints one JSON line per database and page, with the median and the 95th percentile in ms.

It talks to the service only through its command line and HTTP, with the databases and
server processes of `harness.py`.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from harness import (
    HOST,
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    database_options,
    free_port,
    positive,
    run_databases,
    service_env,
    serving,
)

PAGES = ["/", "/kurser/demo-aterfallsprevention-2022", "/kurser/extra-100"]
WARM_UP = 30

_PLACES = ["Växjö", "Ljungby", "Alvesta", "Älmhult"]
_LEADERS = ["Anna Hamle", "Sophie Andersson", "Jonas Reinholdsson"]


def extra_courses(count: int, *, today: date) -> str:
    """`count` courses spread over the coming months: one to three sessions, digital, on site
    or both, some capped, so the catalogue shows every kind of card."""
    blocks = []
    for i in range(count):
        deadline = today + timedelta(days=14 + (i * 300) // max(count, 1))
        first = deadline + timedelta(days=10)
        kind = i % 3
        formats = []
        if kind in (0, 2):
            formats.append('[[course.format]]\nkey = "digital"\nkind = "digital"\n')
        if kind in (1, 2):
            place = _PLACES[i % len(_PLACES)]
            formats.append(
                f'[[course.format]]\nkey = "pa-plats"\nkind = "on_site"\nplace = "{place}"\n'
            )
        sessions = [
            f"[[course.session]]\ndate = {first + timedelta(days=d)}\n"
            + ("start = 09:00:00\nend = 16:00:00\n" if d % 2 == 0 else "")
            for d in range(1 + i % 3)
        ]
        seats = f"seats = {10 + i % 20}\n" if i % 4 == 0 else ""
        blocks.append(
            f'[[course]]\nslug = "extra-{i}"\ntitle = "Fortbildning {i}: samtal och stöd"\n'
            f'description = "En genererad kurs för mätningen."\n'
            f'leaders = [{{ name = "{_LEADERS[i % len(_LEADERS)]}" }}]\n'
            f"deadline = {deadline}\n{seats}\n" + "\n".join(formats) + "\n" + "\n".join(sessions)
        )
    return "\n\n".join(blocks)


def measure(port: int, path: str, *, requests: int) -> dict[str, float | int]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    times = []
    size = 0
    for i in range(WARM_UP + requests):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}")
        if i >= WARM_UP:
            times.append(elapsed * 1000)
            size = len(body)
    connection.close()
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "bytes": size,
        "requests": requests,
    }


def run(db: Sqlite | Postgres, folder: Path, args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """Seed a fresh database through this checkout's CLI, serve it, time each page."""
    port = free_port()
    checkout = Checkout(ROOT)
    extra = folder / "extra.toml"
    extra.write_text(extra_courses(args.extra, today=date.today()), encoding="utf-8")
    with db.database("pages") as url:
        env = service_env(url, port, folder)
        for seed in (["seeds/employers.toml"], ["seeds/schedule-2022.toml"]):
            checkout.cli(["seed", *seed], env)
        checkout.cli(["seed", "seeds/schedule-2022.toml", "--demo"], env)
        checkout.cli(["seed", str(extra)], env)
        log = folder / f"serve-{db.name}.log"
        with serving(checkout.serve(port, "off"), env, log, port):
            for path in PAGES:
                figures = measure(port, path, requests=args.requests)
                courses = 5 + 5 + args.extra
                yield {"database": db.name, "path": path, "courses": courses, **figures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=positive, default=400)
    parser.add_argument("--extra", type=int, default=200, help="generated courses (200)")
    database_options(parser)
    args = parser.parse_args()
    return run_databases(args, lambda db, folder: run(db, folder, args))


if __name__ == "__main__":
    sys.exit(main())
