"""Soak: does one `courses serve` keep its memory flat under registration after registration?

Run from the project root (about 10 minutes per configuration at the defaults on SQLite;
`-n 6000 --batch 2000` is a quick look):

    .venv/bin/python bench/soak.py [-n 100000] [--batch 30000] [-c 16] [--window 30]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--sqlite | --no-sqlite]
        [--redis-url redis://127.0.0.1:6379/15] [--mail-worker auto|inline|process|off]

For each database (SQLite, then PostgreSQL when a URL is given) and each kind of rate-limit
counter (in memory; and in Redis when `--redis-url` is given) it seeds a fresh database with
`seeds/employers.toml` and `bench/rush-schedule.toml`, starts one `courses serve`, and sends
`-n` registrations in batches of `--batch`, every one from a new address, `-c` at a time
(`load.py`: who registers for what). The per-client limit is off, as behind a proxy that
names no client; the per-mailbox limit is on but its window is `--window` seconds instead of
ten minutes (`COURSES_RATE_LIMIT_REGISTRATION=5/{window}s`, the setting an operator would
use), so that between batches every window can expire in `--window` seconds of quiet rather
than ten minutes: what the service holds for a window that has ended is then garbage, and
the next batch shows whether it was kept. After each batch it waits until the outbox is sent
(when the service sends mail), waits out the window, and reads the resident set size (RSS)
of the serve process from /proc.

Output: progress on stderr, and JSON lines on stdout: one per batch (`rss_mb`, of which
`anon_mb` is the heap and `file_mb` mapped files; `per_s`, `errors`, `statuses`) and one
summary per configuration, where `growth_mb_per_30k` is the RSS growth after the first batch
scaled to 30,000 registrations (target: under 5 MB).

On SQLite part of the growth is no leak: every pooled connection keeps a page cache of up to
2 MB (SQLite's default `cache_size`), filled as the database outgrows it, so the first tens of
thousands of registrations add up to about 20 MB that then stays flat.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from harness import (
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
from load import SCHEDULE, fire, registrations

TARGET_MB_PER_30K = 5.0
_UNSENT = "SELECT count(*) FROM outbox_mail WHERE status IN ('pending', 'sending')"


def memory_mb(pid: int) -> dict[str, float]:
    """The resident set size of process `pid` (Linux /proc), in MiB: all of it (`rss_mb`), and
    how much of it is the heap (`anon_mb`) or mapped files and shared memory (`file_mb`, SQLite's
    WAL index among them)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )

    def mb(name: str) -> float:
        return round(int(fields[name].split()[0]) / 1024, 1)

    return {
        "rss_mb": mb("VmRSS"),
        "anon_mb": mb("RssAnon"),
        "file_mb": round(mb("RssFile") + mb("RssShmem"), 1),
    }


def _drained(url: str, *, timeout: float) -> bool:
    """Wait until the outbox holds nothing to send; False if it still does after `timeout`."""
    deadline = time.monotonic() + timeout
    while query(url, _UNSENT)[0][0]:
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def soak(
    db: Sqlite | Postgres, args: argparse.Namespace, folder: Path, redis_url: str | None
) -> Iterator[dict[str, Any]]:
    limits = "redis" if redis_url else "memory"
    label = f"soak_{limits}"
    port = free_port()
    with db.database(label) as url:
        settings = {
            "rate_limit_client": "off",
            "rate_limit_registration": f"5/{args.window}s",
            **({"redis_url": redis_url} if redis_url else {}),
        }
        env = service_env(url, port, folder, **settings)
        checkout = Checkout(ROOT)
        checkout.cli(["seed", str(ROOT / "seeds" / "employers.toml")], env)
        checkout.cli(["seed", str(SCHEDULE)], env)
        command = checkout.serve(port, args.mail_worker)
        with serving(command, env, folder / f"{label}.log", port) as server:
            progress(f"[{db.name}/{limits}] serve pid {server.pid} port {port}")
            fire(port, registrations(args.warmup, port, warmup=True), args.concurrency)
            before = memory_mb(server.pid)
            yield {"database": db.name, "limits": limits, "batch": 0, **before}
            done, rss = 0, []
            for number in range(1, -(-args.n // args.batch) + 1):
                size = min(args.batch, args.n - done)
                shots = registrations(size, port, prefix=f"soak{number}-")
                volley = fire(port, shots, args.concurrency)
                done += size
                sent = args.mail_worker == "off" or _drained(url, timeout=600)
                time.sleep(args.window + 1)  # every window of this batch ends
                memory = memory_mb(server.pid)
                rss.append(memory["rss_mb"])
                line = {
                    "database": db.name,
                    "limits": limits,
                    "batch": number,
                    "registrations": done,
                    "per_s": round(size / volley.wall_s, 1),
                    "errors": volley.errors,
                    "statuses": volley.statuses,
                    "outbox_sent": sent,
                    **memory,
                }
                progress(f"[{db.name}/{limits}] {line}")
                yield line
    after_first = args.n - min(args.batch, args.n)
    growth = (rss[-1] - rss[0]) / after_first * 30000 if after_first else None
    yield {
        "database": db.name,
        "limits": limits,
        "summary": True,
        "commit": checkout.commit(),
        "n": args.n,
        "batch": args.batch,
        "concurrency": args.concurrency,
        "window_s": args.window,
        "rss_before_mb": before["rss_mb"],
        "rss_after_batches_mb": rss,
        "growth_mb_per_30k": None if growth is None else round(growth, 2),
        "meets_target": growth is not None and growth < TARGET_MB_PER_30K,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=positive, default=100_000, help="registrations in all")
    parser.add_argument("--batch", type=positive, default=30_000, help="registrations a batch")
    parser.add_argument("-c", "--concurrency", type=positive, default=16, help="in flight")
    parser.add_argument("--warmup", type=int, default=200, help="before the first reading")
    parser.add_argument(
        "--window",
        type=positive,
        default=30,
        help="seconds of the per-mailbox limit's window, waited out after each batch",
    )
    parser.add_argument(
        "--redis-url",
        help="also with the limits counted in Redis (redis://127.0.0.1:6379/N)",
    )
    parser.add_argument(
        "--mail-worker",
        choices=["auto", "inline", "process", "off"],
        default="auto",
        help="as `courses serve` takes it (auto: inline on SQLite, a process on PostgreSQL; "
        "the RSS is the serve process's); mails are written as .eml files",
    )
    database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    redis = [None, args.redis_url] if args.redis_url else [None]

    def measure(db: Sqlite | Postgres, folder: Path) -> Iterator[dict[str, Any]]:
        for redis_url in redis:
            yield from soak(db, args, folder, redis_url)

    return run_databases(args, measure)


if __name__ == "__main__":
    sys.exit(main())
