"""Registration rush: registrations per second through the real service, against a ceiling.

Run from the project root (it stops by itself, a few minutes at the defaults):

    .venv/bin/python bench/registration_rush.py [-n 2000] [-c 32] [--rounds 3] [--warmup 100]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]
        [--service-checkout PATH ...] [--via api|page ...] [--mail-worker off|auto]
        [--preload 300000]

For each database (SQLite, then PostgreSQL when a URL is given) it runs `--rounds` rounds. A
round measures the baseline and each service checkout once, in an order that rotates from
round to round, so that a noisy neighbour on this shared machine hurts all sides alike. Every
measurement gets a fresh database and a fresh server process on a free port of 127.0.0.1:

- service: the checkout's `courses seed` of `seeds/employers.toml` and
  `bench/rush-schedule.toml`, then `courses serve --mail-worker off`: every registration
  writes its mail to the outbox, but sending it is measured by `bench/mail_throughput.py`.
  The checkout is this one unless `--service-checkout PATH` is given (once per checkout, for
  an A/B run: each is started from its own `PATH/.venv/bin/courses`);
- baseline: `bench/baseline_app.py` under uvicorn, a bare Litestar app whose one endpoint
  inserts one row through the same engine setup: the most this stack does on this machine.

Both get `--warmup` unmeasured registrations, then `-n` registrations by `-n` different people
with at most `-c` in flight, each on its own TCP connection (`load.py`: who registers for
what, and the client). `--via page` registers through the course page's form instead of the
API, as a browser posts it (form-encoded, CSRF cookie and token, a 303 to the receipt); give
`--via api --via page` to measure both against the same baseline in every round.

Output: progress on stderr, and one JSON line per database and service checkout on stdout:

- `checkout`, `commit`, `via`: which service was measured, through the API or the page;
- `preload`: registrations already in the service's tables (`--preload`, `bench/preload.py`:
  past registrants of the warm-up course with their sent mails, written after seeding);
- `registrations_per_s`, `baseline_per_s`: median over rounds of n / wall time;
- `ratio`: median over rounds of service/baseline throughput (target: >= 0.8);
- `p50_ms`, `p99_ms`, `baseline_p50_ms`, `baseline_p99_ms`: medians over rounds of each
  round's latency percentiles (connect to last byte);
  `p99_ratio`: median over rounds of service p99 / baseline p99 (target: <= 1.5);
- `errors`: service requests over all rounds that got no 2xx (or, from the page, 303) answer
  or no answer at all (target: 0; waitlisted registrations are 201 or 303 and count as
  success); `baseline_errors` alike;
- `oversold`: whether any capped course or format has more confirmed registrations in the
  database than seats, in any round (target: false); `seats_exact`: whether everywhere the
  confirmed rows are min(cap, accepted) and every accepted registration is one active row;
- `meets_targets`: all four targets at once;
- `rounds_detail`: per round, both sides' raw figures (throughput, percentiles, HTTP statuses,
  client and server CPU) and the service's seat checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from argparse import Namespace
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import (
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    baseline_command,
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
from load import SCHEDULE, WARMUP, Volley, fire, form_token, percentile, registrations
from preload import preload

TARGET_RATIO = 0.8
TARGET_P99_RATIO = 1.5
BASELINE = "baseline"


@dataclass(frozen=True, slots=True)
class Figures:
    """One measurement of one server."""

    volley: Volley
    server_cpu_s: float | None
    warmup_errors: int
    checks: list[dict[str, Any]]

    @property
    def per_s(self) -> float:
        return len(self.volley.outcomes) / self.volley.wall_s

    def ms(self, q: float) -> float:
        return percentile(self.volley.latencies_ms(), q)

    def as_dict(self) -> dict[str, Any]:
        v, n, cpu = self.volley, len(self.volley.outcomes), self.server_cpu_s
        return {
            "per_s": round(self.per_s, 1),
            "wall_s": round(v.wall_s, 3),
            **{f"p{q}_ms": round(self.ms(q), 2) for q in (50, 90, 99)},
            "max_ms": round(self.ms(100), 2),
            "errors": v.errors,
            "statuses": v.statuses,
            "client_cpu_s": round(v.client_cpu_s, 3),
            "server_cpu_ms_per_request": None if cpu is None else round(cpu * 1000 / n, 3),
            # Near 1: that process's one core set the pace.
            "client_busy": round(v.client_cpu_s / v.wall_s, 3),
            "server_busy": None if cpu is None else round(cpu / v.wall_s, 3),
            "warmup_errors": self.warmup_errors,
        }


_SEATS = """
SELECT c.slug, c.seats, f.key, f.seats, r.status, count(r.id)
FROM course c JOIN course_format f ON f.course_id = c.id
LEFT JOIN registration r ON r.format_id = f.id
GROUP BY c.slug, c.seats, f.key, f.seats, r.status
ORDER BY c.slug, f.key
"""


def _check(what: str, cap: int | None, accepted: int, due: int, rows: Counter[str]) -> dict:
    """`due`: the seats it would confirm without its own cap."""
    expected = due if cap is None else min(cap, due)
    confirmed, active = rows["confirmed"], rows["confirmed"] + rows["waitlisted"]
    return {
        **{"what": what, "cap": cap, "accepted": accepted, "expected_confirmed": expected},
        **{"confirmed": confirmed, "active_rows": active},
        "oversold": cap is not None and confirmed > cap,
        "exact": confirmed == expected and active == accepted,
    }


def seat_checks(url: str, accepted: Counter[str]) -> list[dict[str, Any]]:
    """From the database: each measured course, and each format with its own cap."""
    courses: dict[tuple[str, int | None], list[tuple[str, int | None, Counter[str]]]] = {}
    for slug, seats, key, format_seats, status, count in query(url, _SEATS):
        formats = courses.setdefault((slug, seats), [])
        if not formats or formats[-1][0] != key:
            formats.append((key, format_seats, Counter()))
        formats[-1][2][status] += count
    checks = []
    for (slug, seats), formats in sorted(courses.items()):
        if slug == WARMUP:
            continue
        parts = [
            _check(f"{slug}/{k}", cap, accepted[f"{slug}/{k}"], accepted[f"{slug}/{k}"], rows)
            for k, cap, rows in formats
        ]
        total = sum((rows for _, _, rows in formats), Counter())
        due = sum(p["expected_confirmed"] for p in parts)
        checks.append(_check(slug, seats, sum(p["accepted"] for p in parts), due, total))
        checks += [p for p in parts if p["cap"] is not None]
    return checks


def measure(side: str, db: Sqlite | Postgres, args: Namespace, folder: Path, label: str) -> Figures:
    """Warm-up and measured registrations for `side` (BASELINE or a checkout's path), on a
    fresh database and server; the service's seats are checked afterwards."""
    port = free_port()
    side, _, via = side.partition(_VIA)
    with db.database(label) as url:
        env = service_env(url, port, folder)
        command, cwd = baseline_command(port), ROOT
        if side != BASELINE:
            checkout, cwd = Checkout(Path(side)), Path(side)
            checkout.cli(["seed", str(ROOT / "seeds" / "employers.toml")], env)
            checkout.cli(["seed", str(SCHEDULE)], env)
            if args.preload:
                started = time.perf_counter()
                preload(url, args.preload)
                took = time.perf_counter() - started
                progress(f"[{db.name}] {label}: {args.preload} preloaded in {took:.0f} s")
            command = checkout.serve(port, args.mail_worker)
        with serving(command, env, folder / f"{label}.log", port, cwd=cwd) as server:
            progress(f"[{db.name}] {label}: {side} {via or ''} pid {server.pid} port {port}")
            page = form_token(port) if via == "page" else None
            warmup = registrations(args.warmup, port, warmup=True, page=page)
            warm = fire(port, warmup, args.concurrency)
            before = cpu_s(server.pid)
            volley = fire(port, registrations(args.n, port, page=page), args.concurrency)
            after = cpu_s(server.pid)
        cpu = None if before is None or after is None else after - before
        checks = [] if side == BASELINE else seat_checks(url, volley.accepted())
    return Figures(volley, cpu, warm.errors, checks)


Round = dict[str, Figures]
"""One round's measurements, by side (BASELINE, or a checkout's path and `@api` or `@page`)."""
_VIA = "@"


def _median(rounds: Sequence[Round], figure: Callable[[Round], float]) -> float:
    return statistics.median(figure(r) for r in rounds)


def summarize(database: str, args: Namespace, side: str, rounds: Sequence[Round]) -> dict[str, Any]:
    """One JSON line: `side`'s figures against the baseline's, over all rounds."""
    ratio = _median(rounds, lambda r: r[side].per_s / r[BASELINE].per_s)
    p99_ratio = _median(rounds, lambda r: r[side].ms(99) / r[BASELINE].ms(99))
    errors = sum(r[side].volley.errors for r in rounds)
    checks = [c for r in rounds for c in r[side].checks]
    oversold = any(c["oversold"] for c in checks)
    checkout, _, via = side.partition(_VIA)
    return {
        "database": database,
        "checkout": checkout,
        "commit": Checkout(Path(checkout)).commit(),
        "via": via,
        "n": args.n,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "preload": args.preload,
        "registrations_per_s": round(_median(rounds, lambda r: r[side].per_s), 1),
        "baseline_per_s": round(_median(rounds, lambda r: r[BASELINE].per_s), 1),
        "ratio": round(ratio, 3),
        "p50_ms": round(_median(rounds, lambda r: r[side].ms(50)), 2),
        "p99_ms": round(_median(rounds, lambda r: r[side].ms(99)), 2),
        "baseline_p50_ms": round(_median(rounds, lambda r: r[BASELINE].ms(50)), 2),
        "baseline_p99_ms": round(_median(rounds, lambda r: r[BASELINE].ms(99)), 2),
        "p99_ratio": round(p99_ratio, 3),
        "errors": errors,
        "baseline_errors": sum(r[BASELINE].volley.errors for r in rounds),
        "oversold": oversold,
        "seats_exact": all(c["exact"] for c in checks),
        "meets_targets": ratio >= TARGET_RATIO
        and p99_ratio <= TARGET_P99_RATIO
        and errors == 0
        and not oversold,
        "rounds_detail": [
            {
                "round": number,
                "baseline": r[BASELINE].as_dict(),
                "service": r[side].as_dict(),
                "ratio": round(r[side].per_s / r[BASELINE].per_s, 3),
                "p99_ratio": round(r[side].ms(99) / r[BASELINE].ms(99), 3),
                "seat_checks": r[side].checks,
            }
            for number, r in enumerate(rounds, 1)
        ],
    }


def run_database(
    db: Sqlite | Postgres, args: Namespace, checkouts: list[str], folder: Path
) -> list[dict[str, Any]]:
    sides = [BASELINE, *(f"{c}{_VIA}{via}" for c in checkouts for via in args.via)]
    rounds: list[Round] = []
    for number in range(1, args.rounds + 1):
        shift = (number - 1) % len(sides)
        figures = {}
        for i, side in enumerate(sides[shift:] + sides[:shift]):
            f = measure(side, db, args, folder, f"r{number}_{i}")
            figures[side] = f
            exact = "" if side == BASELINE else f"  seats exact {all(c['exact'] for c in f.checks)}"
            progress(
                f"[{db.name}] round {number}/{args.rounds} {side}: {f.per_s:7.1f}/s  "
                f"p50 {f.ms(50):6.1f} ms  p99 {f.ms(99):6.1f} ms  errors {f.volley.errors}  "
                f"server busy {f.as_dict()['server_busy']}{exact}"
            )
        rounds.append(figures)
    return [summarize(db.name, args, side, rounds) for side in sides[1:]]


def _checkout(value: str) -> str:
    path = Path(value).resolve()
    if not (path / ".venv" / "bin" / "courses").is_file():
        raise argparse.ArgumentTypeError(f"no {path}/.venv/bin/courses: make .venv/.runtime there")
    return str(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=positive, default=2000, help="registrations per round")
    parser.add_argument("-c", "--concurrency", type=positive, default=32, help="in flight")
    parser.add_argument("--rounds", type=positive, default=3, help="rounds (each side once)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured ones first")
    parser.add_argument(
        "--service-checkout",
        type=_checkout,
        metavar="PATH",
        action="append",
        help="a clone with its own .venv whose `courses serve` to measure; repeat it for A/B "
        "(default: this checkout)",
    )
    parser.add_argument(
        "--via",
        choices=["api", "page"],
        action="append",
        help="how people register: the API's JSON (default) or the course page's form, as a "
        "browser posts it (CSRF cookie and token, 303 to the receipt); repeat it to compare",
    )
    parser.add_argument(
        "--mail-worker",
        choices=["off", "auto"],
        default="off",
        help="off (default): the registration path alone, outbox rows included; auto: also "
        "send the mails as `courses serve` does (to .eml files here)",
    )
    parser.add_argument(
        "--preload",
        type=int,
        default=0,
        help="registrations (with their sent mails) written to the warm-up course before the "
        "service starts, a year's worth being 300000 (bench/preload.py); the baseline's "
        "table stays empty",
    )
    database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    checkouts = list(dict.fromkeys(args.service_checkout or [str(ROOT)]))
    args.via = list(dict.fromkeys(args.via or ["api"]))
    return run_databases(args, lambda db, folder: run_database(db, args, checkouts, folder))


if __name__ == "__main__":
    sys.exit(main())
