"""Registration rush: registrations per second through the real service, against a ceiling.

Run from the project root (it stops by itself, a few minutes at the defaults):

    .venv/bin/python bench/registration_rush.py [-n 2000] [-c 32] [--rounds 3] [--warmup 100]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]

For each database (SQLite, then PostgreSQL when a URL is given) it runs `--rounds` rounds, each
a baseline measurement and then a service measurement, alternating so that a noisy neighbour
on this shared machine hurts both alike. Every measurement gets a fresh database (a new SQLite
file in a temporary folder, or a new PostgreSQL database that is dropped afterwards) and a
fresh server process on a free port of 127.0.0.1:

- service: `courses seed seeds/employers.toml`, `courses seed <bench schedule>` (an uncapped
  course, a course capped at 50 and a course with capped formats; see `rush_plan.py`), then
  `courses serve --mail-worker off`: every registration writes its mail to the outbox, but
  sending it is measured by `bench/mail_throughput.py` (`--mail-worker auto` sends here too);
- baseline: `bench/baseline_app.py` under uvicorn, a bare Litestar app whose one endpoint
  inserts one row through the same engine setup: the most this stack does on this machine.

Both get `--warmup` unmeasured registrations, then `-n` registrations by `-n` different people
with at most `-c` in flight, each on its own TCP connection (`Connection: close`), sent by
the raw asyncio client of `rush_client.py`.

Output: progress on stderr, and one JSON line per database on stdout:

- `registrations_per_s`, `baseline_per_s`: median over rounds of n / wall time;
- `ratio`: median over rounds of service/baseline throughput (target: >= 0.6);
- `p50_ms`, `p99_ms`, `baseline_p50_ms`, `baseline_p99_ms`: medians over rounds of each
  round's latency percentiles (connect to last byte);
  `p99_ratio`: median over rounds of service p99 / baseline p99 (target: <= 1.5);
- `errors`: service requests over all rounds that got no 2xx answer or no answer at all
  (target: 0; waitlisted registrations are 201 and count as success); `baseline_errors` alike;
- `oversold`: whether any capped course or format confirmed more than its cap in any round,
  counted four ways (API, answers, rows, counters; see `rush_checks.py`) (target: false);
  `seats_exact`: whether every count equals min(cap, accepted registrations) everywhere;
- `meets_targets`: all four targets at once;
- `rounds_detail`: per round, both sides' raw figures (throughput, percentiles, HTTP statuses,
  client CPU, server CPU per request) and the service's seat checks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from rush_checks import SeatCheck, seat_checks
from rush_client import HOST, Volley, fire, percentile
from rush_plan import CAPPED, OPEN, ROOMS, registrations, schedule_toml
from rush_servers import (
    ROOT,
    Backend,
    Server,
    add_database_options,
    backends,
    baseline_command,
    free_port,
    run_cli,
    service_command,
    serving,
    stop_on_sigterm,
)

MEASURED = (OPEN, CAPPED, ROOMS)
TARGET_RATIO = 0.6
TARGET_P99_RATIO = 1.5


@dataclass(frozen=True, slots=True)
class Options:
    n: int
    concurrency: int
    rounds: int
    warmup: int
    mail_worker: str = "off"


@dataclass(frozen=True, slots=True)
class Figures:
    """One measurement of one server."""

    per_s: float
    wall_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    statuses: dict[str, int]
    client_cpu_s: float
    server_cpu_ms_per_request: float | None
    warmup_errors: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "per_s": round(self.per_s, 1),
            "wall_s": round(self.wall_s, 3),
            "p50_ms": round(self.p50_ms, 2),
            "p90_ms": round(self.p90_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "errors": self.errors,
            "statuses": self.statuses,
            "client_cpu_s": round(self.client_cpu_s, 3),
            "server_cpu_ms_per_request": _round(self.server_cpu_ms_per_request, 3),
            "warmup_errors": self.warmup_errors,
        }


@dataclass(frozen=True, slots=True)
class Round:
    number: int
    baseline: Figures
    service: Figures
    checks: list[SeatCheck]

    def as_dict(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "baseline": self.baseline.as_dict(),
            "service": self.service.as_dict(),
            "ratio": round(self.service.per_s / self.baseline.per_s, 3),
            "p99_ratio": round(self.service.p99_ms / self.baseline.p99_ms, 3),
            "seat_checks": [c.as_dict() for c in self.checks],
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _figures(volley: Volley, server_cpu_s: float | None, warmup_errors: int) -> Figures:
    latencies = volley.latencies_ms()
    n = len(volley.outcomes)
    return Figures(
        per_s=n / volley.wall_s,
        wall_s=volley.wall_s,
        p50_ms=percentile(latencies, 50),
        p90_ms=percentile(latencies, 90),
        p99_ms=percentile(latencies, 99),
        max_ms=latencies[-1],
        errors=volley.errors,
        statuses=volley.statuses,
        client_cpu_s=volley.client_cpu_s,
        server_cpu_ms_per_request=None if server_cpu_s is None else server_cpu_s * 1000 / n,
        warmup_errors=warmup_errors,
    )


def _measure(server: Server, options: Options) -> tuple[Figures, Volley]:
    """Warm the server up, then fire the measured registrations at it."""
    port = server.port
    warm = asyncio.run(
        fire(port, registrations(options.warmup, port, warmup=True), options.concurrency)
    )
    shots = registrations(options.n, port)
    cpu_before = server.cpu_s()
    volley = asyncio.run(fire(port, shots, options.concurrency))
    cpu_after = server.cpu_s()
    cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    return _figures(volley, cpu, warm.errors), volley


def _env(database_url: str, port: int, folder: Path) -> dict[str, str]:
    """The process environment with only our `COURSES_*` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env.update(
        COURSES_DATABASE_URL=database_url,
        COURSES_BASE_URL=f"http://{HOST}:{port}",
        COURSES_MAIL_DIR=str(folder / "mail-out"),
        COURSES_SECRET_KEY=secrets.token_hex(32),
    )
    return env


def baseline_round(backend: Backend, options: Options, folder: Path, label: str) -> Figures:
    port = free_port()
    with backend.database(label) as url:
        env = _env(url, port, folder)
        with serving(baseline_command(port), env, folder / f"{label}.log", port) as server:
            figures, _ = _measure(server, options)
    return figures


def service_round(
    backend: Backend, options: Options, folder: Path, label: str, schedule: Path
) -> tuple[Figures, list[SeatCheck]]:
    port = free_port()
    with backend.database(label) as url:
        env = _env(url, port, folder)
        run_cli(["seed", str(ROOT / "seeds" / "employers.toml")], env)
        run_cli(["seed", str(schedule)], env)
        command = [*service_command(port), "--mail-worker", options.mail_worker]
        with serving(command, env, folder / f"{label}.log", port) as server:
            figures, volley = _measure(server, options)
            checks = asyncio.run(seat_checks(port, url, MEASURED, volley.outcomes))
    return figures, checks


def _report_progress(database: str, number: int, total: int, side: str, f: Figures) -> None:
    progress(
        f"[{database}] round {number}/{total} {side:>8}: {f.per_s:7.1f}/s  "
        f"p50 {f.p50_ms:7.1f} ms  p99 {f.p99_ms:7.1f} ms  errors {f.errors}  "
        f"server CPU {_round(f.server_cpu_ms_per_request, 2)} ms/request"
    )


def run_backend(backend: Backend, options: Options, folder: Path) -> dict[str, Any]:
    """All rounds on one database, summarised as one JSON-ready dict."""
    schedule = folder / "rush-schedule.toml"
    schedule.write_text(schedule_toml(date.today()), encoding="utf-8")
    rounds = []
    for number in range(1, options.rounds + 1):
        baseline = baseline_round(backend, options, folder, f"r{number}_baseline")
        _report_progress(backend.name, number, options.rounds, "baseline", baseline)
        service, checks = service_round(backend, options, folder, f"r{number}_service", schedule)
        _report_progress(backend.name, number, options.rounds, "service", service)
        rounds.append(Round(number, baseline, service, checks))
    return summarize(backend.name, options, rounds)


def _median(rounds: Sequence[Round], figure: Callable[[Round], float]) -> float:
    return statistics.median(figure(r) for r in rounds)


def summarize(database: str, options: Options, rounds: Sequence[Round]) -> dict[str, Any]:
    ratio = _median(rounds, lambda r: r.service.per_s / r.baseline.per_s)
    p99_ratio = _median(rounds, lambda r: r.service.p99_ms / r.baseline.p99_ms)
    errors = sum(r.service.errors for r in rounds)
    oversold = any(c.oversold for r in rounds for c in r.checks)
    return {
        "database": database,
        "n": options.n,
        "concurrency": options.concurrency,
        "rounds": options.rounds,
        "registrations_per_s": round(_median(rounds, lambda r: r.service.per_s), 1),
        "baseline_per_s": round(_median(rounds, lambda r: r.baseline.per_s), 1),
        "ratio": round(ratio, 3),
        "p50_ms": round(_median(rounds, lambda r: r.service.p50_ms), 2),
        "p99_ms": round(_median(rounds, lambda r: r.service.p99_ms), 2),
        "baseline_p50_ms": round(_median(rounds, lambda r: r.baseline.p50_ms), 2),
        "baseline_p99_ms": round(_median(rounds, lambda r: r.baseline.p99_ms), 2),
        "p99_ratio": round(p99_ratio, 3),
        "errors": errors,
        "baseline_errors": sum(r.baseline.errors for r in rounds),
        "oversold": oversold,
        "seats_exact": all(c.exact for r in rounds for c in r.checks),
        "meets_targets": ratio >= TARGET_RATIO
        and p99_ratio <= TARGET_P99_RATIO
        and errors == 0
        and not oversold,
        "rounds_detail": [r.as_dict() for r in rounds],
    }


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Registrations per second through the service, against a bare baseline.",
    )
    parser.add_argument("-n", type=_positive, default=2000, help="registrations per round")
    parser.add_argument("-c", "--concurrency", type=_positive, default=32, help="in flight")
    parser.add_argument("--rounds", type=_positive, default=3, help="baseline+service rounds")
    parser.add_argument(
        "--mail-worker",
        choices=["off", "auto"],
        default="off",
        help="off (default): measure the registration path alone, outbox rows included; auto: "
        "also send the mails as `courses serve` does (bench/mail_throughput.py measures that)",
    )
    parser.add_argument(
        "--warmup", type=int, default=100, help="unmeasured registrations before each round"
    )
    add_database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.sqlite and not args.postgres_url:
        progress("Nothing to run: --no-sqlite and no --postgres-url.")
        return 2
    options = Options(args.n, args.concurrency, args.rounds, max(args.warmup, 0), args.mail_worker)
    stop_on_sigterm()
    try:
        with tempfile.TemporaryDirectory(prefix="registration-rush-") as tmp:
            for backend in backends(args, Path(tmp)):
                print(json.dumps(run_backend(backend, options, Path(tmp))), flush=True)
    except KeyboardInterrupt:
        progress("Interrupted: servers stopped, temporary databases and files removed.")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
