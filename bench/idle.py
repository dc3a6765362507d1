"""Idle cost: the CPU an idle service and its mail worker use when nobody registers.

Run from the project root (it stops by itself, about two minutes per database and checkout at
the defaults):

    .venv/bin/python bench/idle.py [--seconds 60] [--settle 5]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]
        [--service-checkout PATH ...]

For each database (SQLite, then PostgreSQL when a URL is given) and each checkout (this one
unless `--service-checkout PATH` is given, once per checkout for an A/B run, each started from
its own `PATH/.venv/bin/courses`), on a fresh database seeded by `courses seed` with
`seeds/employers.toml` and `bench/rush-schedule.toml`, it measures two set-ups one after the
other:

- `serve`: `courses serve --mail-worker auto` (SQLite: the worker inside the service;
  PostgreSQL: a worker process of its own), once GET /api/health answers;
- `worker`: a stand-alone `courses worker`.

Each is left alone `--settle` seconds (start-up, the first housekeeping round), then its
processes' CPU time (user + system, from /proc) is read over `--seconds` seconds: the
service's or worker's process, its child processes, and on PostgreSQL the server processes
connected to its database (the benchmark's own short look-ups excluded).

Output: progress on stderr, and one JSON line per database, checkout and set-up on stdout:
`database`, `checkout`, `commit`, `setup`, `seconds`, `cpu_percent` (per process role:
`service` or `worker`, `worker_process` for serve's child, `postgresql` for its server
processes together; percent of one core), `total_percent` (target: under 1), `meets_target`.
The machine's other load does not enter the figures (they are this benchmark's processes'
own CPU time), but a busy machine slows what they do.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
    progress,
    query,
    run_databases,
    service_env,
    serving,
)
from load import SCHEDULE

TARGET_PERCENT = 1.0
_BACKENDS = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid()"
)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _backends(url: str) -> list[int]:
    if not url.startswith("postgresql"):
        return []
    return [int(pid) for (pid,) in query(url, _BACKENDS)]


def _cpu(pids: Sequence[int]) -> dict[int, float]:
    return {pid: cpu for pid in pids if (cpu := cpu_s(pid)) is not None}


def measure_cpu(url: str, main: int, main_role: str, seconds: float) -> dict[str, float]:
    """Percent of one core per role over `seconds`: `main_role` for `main`, `worker_process`
    for its children, `postgresql` for the database's server processes."""
    roles = {
        main_role: lambda: [main],
        "worker_process": lambda: _children(main),
        "postgresql": lambda: _backends(url),
    }
    before = {role: _cpu(pids()) for role, pids in roles.items()}
    started = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - started
    after = {role: _cpu(pids()) for role, pids in roles.items()}
    percent = {}
    for role in roles:
        # A process that started meanwhile counts from nothing; one that ended, not at all.
        used = sum(cpu - before[role].get(pid, 0.0) for pid, cpu in after[role].items())
        if after[role] or before[role]:
            percent[role] = round(used * 100 / wall, 3)
    return percent


@contextmanager
def standalone_worker(checkout: Checkout, env: dict[str, str], log: Path) -> Iterator[int]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [checkout.courses, "worker"],
            cwd=checkout.path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_checkout(
    db: Sqlite | Postgres, checkout: Checkout, args: Any, folder: Path, number: int
) -> Iterator[dict[str, Any]]:
    for setup in ("serve", "worker"):
        label = f"idle_{number}_{setup}"
        with db.database(label) as url:
            port = free_port()
            env = service_env(url, port, folder)
            for schedule in (ROOT / "seeds" / "employers.toml", SCHEDULE):
                checkout.cli(["seed", str(schedule)], env)
            log = folder / f"{label}.log"
            if setup == "serve":
                started = serving(checkout.serve(port, "auto"), env, log, port, cwd=checkout.path)
                role = "service"
            else:
                started = standalone_worker(checkout, env, log)
                role = "worker"
            with started as running:
                pid = running if isinstance(running, int) else running.pid
                time.sleep(args.settle)
                percent = measure_cpu(url, pid, role, args.seconds)
        total = round(sum(percent.values()), 3)
        progress(f"[{db.name}] {checkout.path} {setup}: {percent} total {total} %")
        yield {
            "database": db.name,
            "checkout": str(checkout.path),
            "commit": checkout.commit(),
            "setup": setup,
            "seconds": args.seconds,
            "cpu_percent": percent,
            "total_percent": total,
            "meets_target": total < TARGET_PERCENT,
        }


def _checkout(value: str) -> Checkout:
    path = Path(value).resolve()
    if not (path / ".venv" / "bin" / "courses").is_file():
        raise argparse.ArgumentTypeError(f"no {path}/.venv/bin/courses: make .venv/.runtime there")
    return Checkout(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="measured idle time")
    parser.add_argument("--settle", type=float, default=5.0, help="unmeasured seconds first")
    parser.add_argument(
        "--service-checkout",
        type=_checkout,
        metavar="PATH",
        action="append",
        help="a clone with its own .venv to measure; repeat it for A/B (default: this checkout)",
    )
    database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    checkouts = args.service_checkout or [Checkout(ROOT)]

    def measure(db: Sqlite | Postgres, folder: Path) -> Iterator[dict[str, Any]]:
        for number, checkout in enumerate(checkouts, start=1):
            yield from run_checkout(db, checkout, args, folder, number)

    return run_databases(args, measure)


if __name__ == "__main__":
    sys.exit(main())
