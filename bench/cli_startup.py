"""CLI start-up: how long `courses --help`, `courses token list` and `courses mail-status` take
from start to exit, the whole process, on a seeded database.

Run from the project root (about half a minute at the defaults on an idle machine):

    .venv/bin/python bench/cli_startup.py [--rounds 5]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]
        [--service-checkout PATH ...]

For each database (SQLite, then PostgreSQL when a URL is given) and each checkout (this one
unless `--service-checkout PATH` is given, once per checkout for an A/B run, each run as its
own `PATH/.venv/bin/courses`), a fresh database is seeded by `courses seed` with
`seeds/employers.toml` and `seeds/schedule-2022.toml` and given one token (`courses token
create --superadmin`), so it is at the newest schema and the commands have rows to read. Then
`--rounds` times, interleaved (each command once per checkout in turn, so that a change in the
machine's load falls on all of them alike), each command is run as an admin runs it, and, for
scale, each checkout's Python runs `python -c pass` and `python -c "import sqlalchemy"`.

Output: progress on stderr, and one JSON line per database, checkout and command on stdout:
`database`, `checkout`, `commit`, `command` (`--help`, `token list`, `mail-status`, or the
references `python -c pass` and `import sqlalchemy`), `runs`, `wall_s` (the best run's wall
time, start to exit; target: under 0.5 for the three commands), `cpu_s` (the least user +
system CPU time of a run), `wall_median_s`, `cpu_median_s`, `modules` (how many modules a run
imports, the interpreter's own start-up included, counted by `python -X importtime` in one
more, untimed run: a figure the machine's load does not change), `target_s` (0.5; null for a
reference), `meets_target` (best wall under the target; null for a reference) and
`load_average` (the machine's 1-minute load when the line was printed: on a busy machine every
time is longer, the references show by how much).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from harness import (
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    database_options,
    positive,
    progress,
    run_databases,
    service_env,
)

TARGET_S = 0.5
COMMANDS = {"--help": ["--help"], "token list": ["token", "list"], "mail-status": ["mail-status"]}
REFERENCES = {"python -c pass": "pass", "import sqlalchemy": "import sqlalchemy"}
SCHEDULES = (ROOT / "seeds" / "employers.toml", ROOT / "seeds" / "schedule-2022.toml")


def timed(argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of `argv`, which must exit 0 (or 1:
    `mail-status` says so when mails failed)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} exited with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def _python(checkout: Checkout) -> str:
    return str(checkout.path / ".venv" / "bin" / "python")


def _argv(checkout: Checkout, name: str) -> list[str]:
    if name in COMMANDS:
        return [checkout.courses, *COMMANDS[name]]
    return [_python(checkout), "-c", REFERENCES[name]]


def modules(checkout: Checkout, name: str, env: Mapping[str, str]) -> int:
    """The modules one run imports, its start-up included (`-X importtime`)."""
    code = REFERENCES.get(name, "import sys; from courses.cli import main; sys.exit(main())")
    args = COMMANDS.get(name, [])
    done = subprocess.run(
        [_python(checkout), "-X", "importtime", "-c", code, *args],
        cwd=checkout.path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return max(len(lines) - 1, 0)  # less the header line


def measure(
    db: Sqlite | Postgres, folder: Path, checkouts: Sequence[Checkout], rounds: int
) -> Iterator[dict[str, Any]]:
    runs: dict[tuple[int, str], list[tuple[float, float]]] = {}
    with db.database("cli_startup") as url:
        env = service_env(url, 8000, folder)
        first = checkouts[0]
        for schedule in SCHEDULES:
            first.cli(["seed", str(schedule)], env)
        first.cli(["token", "create", "--superadmin", "--name", "bench"], env)
        counted = {
            (index, name): modules(checkout, name, env)
            for index, checkout in enumerate(checkouts)
            for name in (*COMMANDS, *REFERENCES)
        }
        for number in range(1, rounds + 1):
            progress(f"[{db.name}] round {number} of {rounds}")
            for name in (*COMMANDS, *REFERENCES):
                for index, checkout in enumerate(checkouts):
                    argv = _argv(checkout, name)
                    runs.setdefault((index, name), []).append(timed(argv, env, checkout.path))
    for index, checkout in enumerate(checkouts):
        commit = checkout.commit()
        for name in (*COMMANDS, *REFERENCES):
            walls, cpus = zip(*runs[(index, name)], strict=True)
            target = TARGET_S if name in COMMANDS else None
            line = {
                "database": db.name,
                "checkout": str(checkout.path),
                "commit": commit,
                "command": name,
                "runs": len(walls),
                "wall_s": round(min(walls), 3),
                "cpu_s": round(min(cpus), 3),
                "wall_median_s": round(statistics.median(walls), 3),
                "cpu_median_s": round(statistics.median(cpus), 3),
                "modules": counted[(index, name)],
                "target_s": target,
                "meets_target": None if target is None else min(walls) < target,
                "load_average": round(os.getloadavg()[0], 2),
            }
            progress(
                f"[{db.name}] {checkout.path} {name}: best {line['wall_s']} s wall, "
                f"{line['cpu_s']} s CPU, {line['modules']} modules"
            )
            yield line


def _checkout(value: str) -> Checkout:
    path = Path(value).resolve()
    if not (path / ".venv" / "bin" / "courses").is_file():
        raise argparse.ArgumentTypeError(f"no {path}/.venv/bin/courses: make .venv/.runtime there")
    return Checkout(path)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=positive, default=5, help="runs of each command")
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
    return run_databases(args, lambda db, folder: measure(db, folder, checkouts, args.rounds))


if __name__ == "__main__":
    raise SystemExit(main())
