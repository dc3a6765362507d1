"""Mail throughput: outbox to SMTP in mails per second against a bare aiosmtplib ceiling, and
commit-to-delivered latency while clients register at once.

Run from the project root (it stops by itself, about a minute per database at the defaults):

    .venv/bin/python bench/mail_throughput.py [-n 2000] [--rush 1000] [-c 32] [--rounds 3]
        [--warmup 50] [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
        [--sqlite | --no-sqlite]

Every message goes to one SMTP server started by the benchmark: aiosmtpd on 127.0.0.1 in its
own process, accepting everything and noting only when each message arrived and its Message-ID
(`mail_sink.py`). For each database (SQLite, then PostgreSQL when a URL is given) it runs
`--rounds` rounds; every part of a round gets a fresh database (a new SQLite file in a
temporary folder, or a new PostgreSQL database that is dropped afterwards), seeded with
`seeds/employers.toml` and the registration rush's bench schedule (`rush_plan.py`). A round:

1. throughput (`mail_drain.py`): `-n` people register through the registration service in this
   process, so the outbox holds `-n` pending mails (confirmations with their invite, and
   waitlist notices). Then, in alternating order,
   - ceiling: the same messages, built beforehand by the worker's own code, sent by a bare
     `aiosmtplib` loop over one connection;
   - worker: `MailWorker.drain()` sends the outbox (claim, facts, build, send, record), with
     the worker's default of two batches in flight, each on its own connection (`--lanes 1`
     measures one connection against the ceiling's one).
2. latency (`mail_rush.py`): `courses serve` with `COURSES_SMTP_URL` set to the sink; after
   `--warmup` unmeasured registrations (and their mails) `--rush` registrations by different
   people with at most `-c` in flight (`rush_client.py`), while the service's own worker sends.
   Each mail's latency is its arrival at the sink minus its outbox row's `created_at`.

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
  the worker had fallen behind) and `server_busy` (the service's CPU over that stretch's wall
  time: near 1 means its one event loop, shared by HTTP and the worker, was saturated).

The machine's other load moves every absolute figure; the ratio compares two sends made
seconds apart in the same round, and is the steadier one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mail_drain import ThroughputRound, throughput_round
from mail_rush import RushRound, rush_round
from mail_sink import SmtpSink, smtp_sink
from rush_client import percentile
from rush_plan import schedule_toml
from rush_servers import Backend, add_database_options, backends, stop_on_sigterm

TARGET_RATIO = 0.5
TARGET_PER_S = 200.0
TARGET_P99_MS = 1000.0


@dataclass(frozen=True, slots=True)
class Options:
    n: int
    rush: int
    concurrency: int
    rounds: int
    warmup: int
    lanes: int | None = None


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _report_throughput(database: str, total: int, r: ThroughputRound) -> None:
    progress(
        f"[{database}] round {r.number}/{total} throughput: ceiling {r.ceiling.per_s:7.1f}/s  "
        f"worker {r.worker.per_s:7.1f}/s  ratio {r.ratio:.3f}  "
        f"sink busy {r.ceiling.as_dict()['sink_busy']}/{r.worker.as_dict()['sink_busy']}"
    )


def _report_rush(database: str, total: int, r: RushRound) -> None:
    d = r.as_dict()
    progress(
        f"[{database}] round {r.number}/{total} rush: {d['registrations_per_s']:7.1f} reg/s  "
        f"{d['delivered']}/{r.mails} mails  p50 {d['p50_ms']} ms  p99 {d['p99_ms']} ms  "
        f"max {d['max_ms']} ms  http errors {r.http_errors}"
    )


def run_backend(backend: Backend, sink: SmtpSink, options: Options, folder: Path) -> dict[str, Any]:
    """All rounds on one database, summarised as one JSON-ready dict."""
    schedule = folder / "mail-schedule.toml"
    schedule.write_text(schedule_toml(date.today()), encoding="utf-8")
    throughput: list[ThroughputRound] = []
    rushes: list[RushRound] = []
    for number in range(1, options.rounds + 1):
        throughput.append(
            throughput_round(number, backend, sink, schedule, n=options.n, lanes=options.lanes)
        )
        _report_throughput(backend.name, options.rounds, throughput[-1])
        rushes.append(
            rush_round(
                number,
                backend,
                sink,
                folder,
                schedule,
                n=options.rush,
                concurrency=options.concurrency,
                warmup=options.warmup,
            )
        )
        _report_rush(backend.name, options.rounds, rushes[-1])
    return summarize(backend.name, options, throughput, rushes)


def _median(rounds: Sequence[ThroughputRound], figure: Callable[[ThroughputRound], float]) -> float:
    return statistics.median(figure(r) for r in rounds)


def summarize(
    database: str,
    options: Options,
    throughput: Sequence[ThroughputRound],
    rushes: Sequence[RushRound],
) -> dict[str, Any]:
    ratio = _median(throughput, lambda r: r.ratio)
    worker_per_s = _median(throughput, lambda r: r.worker.per_s)
    latencies = sorted(ms for r in rushes for ms in r.latencies_ms)
    p99 = percentile(latencies, 99)
    lost = {
        "undelivered": sum(r.undelivered for r in rushes),
        "duplicates": sum(r.duplicates for r in rushes),
        "failed": sum(r.failed for r in rushes),
        "http_errors": sum(r.http_errors for r in rushes),
    }
    return {
        "database": database,
        "n": options.n,
        "rush": options.rush,
        "concurrency": options.concurrency,
        "rounds": options.rounds,
        "ceiling_per_s": round(_median(throughput, lambda r: r.ceiling.per_s), 1),
        "worker_per_s": round(worker_per_s, 1),
        "ratio": round(ratio, 3),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p99_ms": round(p99, 1),
        "latency_max_ms": round(latencies[-1], 1) if latencies else None,
        "rush_mails": sum(r.mails for r in rushes),
        **lost,
        "registrations_per_s": round(statistics.median(r.registrations_per_s for r in rushes), 1),
        "meets_targets": ratio >= TARGET_RATIO
        and worker_per_s >= TARGET_PER_S
        and p99 < TARGET_P99_MS
        and not any(lost.values()),
        "rounds_detail": [
            {"throughput": t.as_dict(), "rush": r.as_dict()}
            for t, r in zip(throughput, rushes, strict=True)
        ],
    }


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Mails per second from the outbox against a bare aiosmtplib loop, and "
        "commit-to-delivered latency during a registration rush.",
    )
    parser.add_argument("-n", type=_positive, default=2000, help="mails per throughput round")
    parser.add_argument(
        "--lanes",
        type=_positive,
        default=None,
        help="batches the drained worker keeps in flight, each on its own SMTP connection "
        "(default: the worker's own default; 1 compares one connection with the ceiling's one)",
    )
    parser.add_argument("--rush", type=_positive, default=1000, help="registrations per rush")
    parser.add_argument("-c", "--concurrency", type=_positive, default=32, help="rush clients")
    parser.add_argument("--rounds", type=_positive, default=3, help="throughput+rush rounds")
    parser.add_argument(
        "--warmup", type=int, default=50, help="unmeasured registrations before each rush"
    )
    add_database_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.sqlite and not args.postgres_url:
        progress("Nothing to run: --no-sqlite and no --postgres-url.")
        return 2
    options = Options(
        args.n, args.rush, args.concurrency, args.rounds, max(args.warmup, 0), args.lanes
    )
    stop_on_sigterm()
    try:
        with tempfile.TemporaryDirectory(prefix="mail-throughput-") as tmp:
            folder = Path(tmp)
            with smtp_sink(folder / "smtp-sink.log") as sink:
                for backend in backends(args, folder):
                    print(json.dumps(run_backend(backend, sink, options, folder)), flush=True)
    except KeyboardInterrupt:
        progress("Interrupted: processes stopped, temporary databases and files removed.")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
