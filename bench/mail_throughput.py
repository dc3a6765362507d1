"""Mail throughput: outbox to SMTP in mails per second against a bare aiosmtplib ceiling, and
commit-to-delivered latency while clients register at once.

Run from the project root (it stops by itself, about a minute per database at the defaults):

    .venv/bin/python bench/mail_throughput.py [-n 2000] [--rush 1000] [-c 32] [--rounds 3]
        [--warmup 50] [--lanes N] [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
        [--sqlite | --no-sqlite]

Every message goes to one SMTP sink started by the benchmark (`harness.py`: aiosmtpd on
127.0.0.1 in its own process, noting only when each message arrived and its Message-ID). For
each database (SQLite, then PostgreSQL when a URL is given) it runs `--rounds` rounds; every
part of a round gets fresh databases, seeded by `courses seed` with `seeds/employers.toml` and
`bench/rush-schedule.toml`. A round:

1. throughput: `courses serve --mail-worker off` takes `-n` registrations (`load.py`), so its
   outbox holds `-n` pending mails (confirmations with their invite, and waitlist notices).
   On a copy of that database, `MailWorker.drain()` with a recording transport builds the
   messages the worker would send. Then, in alternating order,
   - ceiling: those messages' bytes sent by a bare `aiosmtplib` loop over one connection;
   - worker: `MailWorker.drain()` sends the outbox as `courses worker --once` does (claim,
     load, build, send, record), two batches in flight by default, each on its own connection
     (`--lanes 1` measures one connection against the ceiling's one).
   Delivered mails are matched to the messages by their Message-ID header.
2. latency: `courses serve` with `COURSES_SMTP_URL` set to the sink; after `--warmup`
   unmeasured registrations (and their mails), `--rush` registrations by different people with
   at most `-c` in flight, while the service's own worker sends. Each mail's latency is its
   arrival at the sink minus its outbox row's `created_at` (same machine, same clock; it is
   read when the request starts, so the figure is an upper bound of commit-to-delivered).

Output: progress on stderr, and one JSON line per database on stdout:

- `ceiling_per_s`, `worker_per_s`: median over rounds of mails received by the sink / wall time;
  `ratio`: median over rounds of worker/ceiling (target: >= 0.5); the worker's own target:
  `worker_per_s` >= 200;
- `latency_p50_ms`, `latency_p99_ms`, `latency_max_ms`: commit-to-delivered over the mails of
  all rounds' rushes together (target: p99 < 1000 ms);
- `rush_mails`, `undelivered`, `duplicates`, `failed`: mails the measured registrations wrote,
  those that never reached the sink, extra copies the sink got, rows marked failed (target:
  0, 0, 0); `http_errors`: registrations with no 2xx answer (target: 0);
- `registrations_per_s`: median over rounds of the rush's registration rate, for context;
- `meets_targets`: every target above at once;
- `rounds_detail`: per round, both parts' raw figures: per phase the wall time, the sender's CPU
  per mail and `sink_busy` (the sink's CPU over the wall time: near 1 would mean the SMTP
  server set the pace); per rush the latency percentiles, HTTP statuses and p99,
  `last_mail_after_s` (from the last registration's answer to the last mail's arrival: how far
  the worker had fallen behind) and `server_busy` (the `courses serve` process's CPU over that
  stretch: near 1 means its event loop had no time to spare; on PostgreSQL the worker is a
  process of its own and not counted).

The machine's other load moves every absolute figure; the ratio compares two sends made
seconds apart in the same round, and is the steadier one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import Postgres, Sqlite, database_options, positive, progress, run_databases
from load import percentile
from mail_rounds import rush_round, throughput_round
from smtp_sink import Sink, smtp_sink

TARGET_RATIO = 0.5
TARGET_PER_S = 200.0
TARGET_P99_MS = 1000.0

Round = tuple[dict[str, Any], dict[str, Any]]
"""A round's throughput part and rush part, as `mail_rounds` reports them."""


def summarize(database: str, args: Any, rounds: list[Round]) -> dict[str, Any]:
    ratio = statistics.median(t["ratio"] for t, _ in rounds)
    worker_per_s = statistics.median(t["worker"]["per_s"] for t, _ in rounds)
    latencies = sorted(ms for _, r in rounds for ms in r.pop("latencies_ms"))
    p99 = percentile(latencies, 99)
    lost = {key: sum(r[key] for _, r in rounds) for key in ("undelivered", "duplicates", "failed")}
    lost["http_errors"] = sum(r["http_errors"] for _, r in rounds)
    return {
        "database": database,
        "n": args.n,
        "rush": args.rush,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "ceiling_per_s": round(statistics.median(t["ceiling"]["per_s"] for t, _ in rounds), 1),
        "worker_per_s": round(worker_per_s, 1),
        "ratio": round(ratio, 3),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p99_ms": round(p99, 1),
        "latency_max_ms": round(latencies[-1], 1) if latencies else None,
        "rush_mails": sum(r["mails"] for _, r in rounds),
        **lost,
        "registrations_per_s": round(
            statistics.median(r["registrations_per_s"] for _, r in rounds), 1
        ),
        "meets_targets": ratio >= TARGET_RATIO
        and worker_per_s >= TARGET_PER_S
        and p99 < TARGET_P99_MS
        and not any(lost.values()),
        "rounds_detail": [{"throughput": t, "rush": r} for t, r in rounds],
    }


def run_database(db: Sqlite | Postgres, sink: Sink, args: Any, folder: Path) -> dict[str, Any]:
    rounds = []
    for number in range(1, args.rounds + 1):
        t = throughput_round(db, sink, args, folder, number)
        progress(
            f"[{db.name}] round {number}/{args.rounds} throughput: ceiling "
            f"{t['ceiling']['per_s']:7.1f}/s  worker {t['worker']['per_s']:7.1f}/s  ratio "
            f"{t['ratio']:.3f}  sink busy {t['ceiling']['sink_busy']}/{t['worker']['sink_busy']}"
        )
        r = rush_round(db, sink, args, folder, number)
        progress(
            f"[{db.name}] round {number}/{args.rounds} rush: {r['registrations_per_s']:7.1f} "
            f"reg/s  {r['delivered']}/{r['mails']} mails  p50 {r['p50_ms']} ms  p99 "
            f"{r['p99_ms']} ms  max {r['max_ms']} ms  http errors {r['http_errors']}"
        )
        rounds.append((t, r))
    return summarize(db.name, args, rounds)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=positive, default=2000, help="mails per throughput round")
    parser.add_argument(
        "--lanes",
        type=positive,
        help="batches the drained worker keeps in flight, each on its own SMTP connection "
        "(default: the worker's own; 1 compares one connection with the ceiling's one)",
    )
    parser.add_argument("--rush", type=positive, default=1000, help="registrations per rush")
    parser.add_argument("-c", "--concurrency", type=positive, default=32, help="rush clients")
    parser.add_argument("--rounds", type=positive, default=3, help="throughput+rush rounds")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured ones before a rush")
    database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)

    def measure(db: Sqlite | Postgres, folder: Path) -> list[dict[str, Any]]:
        with smtp_sink(folder) as sink:
            return [run_database(db, sink, args, folder)]

    return run_databases(args, measure)


if __name__ == "__main__":
    sys.exit(main())
