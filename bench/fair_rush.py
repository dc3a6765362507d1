"""Fair-seat rush: registrations per second with `per_employer` set, against the same rush
without it.

Run from the project root (it stops by itself, a few minutes at the defaults):

    .venv/bin/python bench/fair_rush.py [-n 2000] [-c 32] [--rounds 3] [--warmup 100]
        [--per-employer 5] [--share-on capped|all] [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
        [--sqlite | --no-sqlite]

The rush of `bench/registration_rush.py` (its schedule and its mix of courses, `load.py`), by
people of nine employers in turn. Each round measures two sides, in an order that rotates from
round to round, each on a fresh database and a fresh `courses serve --mail-worker off`:

- plain: `bench/rush-schedule.toml` as it is;
- fair: the same schedule with `per_employer = N` (the share lasting until the deadline, so
  the whole rush is under it) on its capped courses, or with `--share-on all` on the uncapped
  one too: each registration of such a course counts its employer's seats under the course
  row's lock. A share divides scarce seats, so capped courses are the case it is made for; on
  the uncapped course (six registrations in ten) it also makes registrations, which otherwise
  only share-lock the row, queue on that lock: that is the price `--share-on all` shows.

Output: progress on stderr and one JSON line per database on stdout: `fair_per_s`,
`plain_per_s` (medians of n / wall time), `ratio` (median over rounds of fair/plain; target
>= 0.8), the p50/p99 latencies, `errors`, and `share_exact`: whether, in every fair round,
each employer holds at most N seats in each course and the capped courses are not oversold.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from argparse import Namespace
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import (
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    cpu_s,
    database_options,
    free_port,
    positive,
    progress,
    query,
    run_databases,
    service_env,
    serving,
)
from load import SCHEDULE, WARMUP, Volley, fire, percentile, registrations

TARGET_RATIO = 0.8
EMPLOYERS = (
    ("vaxjo", "vaxjo.se"),
    ("ljungby", "ljungby.se"),
    ("alvesta", "alvesta.se"),
    ("lessebo", "lessebo.se"),
    ("markaryd", "markaryd.se"),
    ("tingsryd", "tingsryd.se"),
    ("uppvidinge", "uppvidinge.se"),
    ("almhult", "almhult.se"),
    ("region-kronoberg", "kronoberg.se"),
)
SIDES = ("plain", "fair")


def fair_schedule(per_employer: int, folder: Path, *, share_on: str) -> Path:
    """The rush schedule with `per_employer` on the capped courses (`share_on="capped"`) or
    on every course (`"all"`), never on the warm-up."""
    courses = SCHEDULE.read_text(encoding="utf-8").split("[[course]]")
    out = [courses[0]]
    for block in courses[1:]:
        capped = re.search(r"^seats = ", block, flags=re.M) is not None
        if f'slug = "{WARMUP}"' not in block and (capped or share_on == "all"):
            block = re.sub(
                r"^(deadline = .*)$",
                rf"\1\nper_employer = {per_employer}",
                block,
                count=1,
                flags=re.M,
            )
        out.append(block)
    path = folder / "fair-schedule.toml"
    path.write_text("[[course]]".join(out), encoding="utf-8")
    return path


# Confirmed seats per employer in each course with a share.
_HELD = """
SELECT c.slug, c.seats, c.per_employer, r.employer_id, count(r.id)
FROM course c JOIN registration r ON r.course_id = c.id
WHERE r.status = 'confirmed' AND c.per_employer IS NOT NULL
GROUP BY c.slug, c.seats, c.per_employer, r.employer_id
"""


def share_exact(url: str) -> bool:
    """No employer over its share, no course over its cap (the courses with a share)."""
    rows = query(url, _HELD)
    if not rows:
        return False  # nothing was measured under a share
    per_course: dict[str, int] = {}
    caps: dict[str, int | None] = {}
    for slug, seats, per_employer, _employer, held in rows:
        if held > per_employer:
            return False
        per_course[slug] = per_course.get(slug, 0) + held
        caps[slug] = seats
    return all(caps[s] is None or n <= caps[s] for s, n in per_course.items())  # type: ignore[operator]


def measure(
    side: str, db: Sqlite | Postgres, args: Namespace, folder: Path, label: str
) -> tuple[Volley, bool | None, float | None]:
    port = free_port()
    fair = side == "fair"
    schedule = (
        fair_schedule(args.per_employer, folder, share_on=args.share_on) if fair else SCHEDULE
    )
    with db.database(label) as url:
        env = service_env(url, port, folder)
        checkout = Checkout(ROOT)
        checkout.cli(["seed", str(ROOT / "seeds" / "employers.toml")], env)
        checkout.cli(["seed", str(schedule)], env)
        with serving(checkout.serve(port, "off"), env, folder / f"{label}.log", port) as server:
            progress(f"[{db.name}] {label}: {side} pid {server.pid} port {port}")
            fire(port, registrations(args.warmup, port, warmup=True), args.concurrency)
            before = cpu_s(server.pid)
            shots = registrations(args.n, port, employers=EMPLOYERS)
            volley = fire(port, shots, args.concurrency)
            after = cpu_s(server.pid)
        exact = share_exact(url) if fair else None
    busy = None if before is None or after is None else (after - before) / volley.wall_s
    return volley, exact, busy


def _per_s(v: Volley) -> float:
    return len(v.outcomes) / v.wall_s


def run_database(db: Sqlite | Postgres, args: Namespace, folder: Path) -> list[dict[str, Any]]:
    rounds: list[dict[str, Volley]] = []
    exact: list[bool] = []
    for number in range(1, args.rounds + 1):
        order = SIDES if number % 2 else SIDES[::-1]
        figures = {}
        for i, side in enumerate(order):
            volley, ok, busy = measure(side, db, args, folder, f"r{number}_{i}")
            figures[side] = volley
            if ok is not None:
                exact.append(ok)
            progress(
                f"[{db.name}] round {number}/{args.rounds} {side}: {_per_s(volley):7.1f}/s  "
                f"p99 {percentile(volley.latencies_ms(), 99):6.1f} ms  errors {volley.errors}  "
                f"server busy {busy if busy is None else round(busy, 3)}"
                + ("" if ok is None else f"  share exact {ok}")
            )
        rounds.append(figures)

    def median(side: str, q: float | None = None) -> float:
        if q is None:
            return round(statistics.median(_per_s(r[side]) for r in rounds), 1)
        return round(statistics.median(percentile(r[side].latencies_ms(), q) for r in rounds), 2)

    ratio = statistics.median(_per_s(r["fair"]) / _per_s(r["plain"]) for r in rounds)
    errors = sum(r[s].errors for r in rounds for s in SIDES)
    return [
        {
            "database": db.name,
            "commit": Checkout(ROOT).commit(),
            "n": args.n,
            "concurrency": args.concurrency,
            "rounds": args.rounds,
            "per_employer": args.per_employer,
            "share_on": args.share_on,
            "employers": len(EMPLOYERS),
            "fair_per_s": median("fair"),
            "plain_per_s": median("plain"),
            "ratio": round(ratio, 3),
            "fair_p50_ms": median("fair", 50),
            "fair_p99_ms": median("fair", 99),
            "plain_p50_ms": median("plain", 50),
            "plain_p99_ms": median("plain", 99),
            "errors": errors,
            "share_exact": all(exact),
            "meets_target": ratio >= TARGET_RATIO and errors == 0 and all(exact),
            "rounds_detail": [
                {s: round(_per_s(r[s]), 1) for s in SIDES}
                | {"ratio": round(_per_s(r["fair"]) / _per_s(r["plain"]), 3)}
                for r in rounds
            ],
        }
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=positive, default=2000, help="registrations per round")
    parser.add_argument("-c", "--concurrency", type=positive, default=32, help="in flight")
    parser.add_argument("--rounds", type=positive, default=3, help="rounds (each side once)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured ones first")
    parser.add_argument(
        "--per-employer", type=positive, default=5, help="seats per employer in the fair side"
    )
    parser.add_argument(
        "--share-on",
        choices=["capped", "all"],
        default="capped",
        help="which courses get per_employer: the capped ones (default: a share divides scarce "
        "seats) or every one, the uncapped course too (which then queues on its row's lock)",
    )
    database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_databases(args, lambda db, folder: run_database(db, args, folder))


if __name__ == "__main__":
    sys.exit(main())
