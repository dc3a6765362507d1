"""National peak: a minute's rush of registrations through the real front, nginx in front of
two `courses serve` on PostgreSQL with their rate limits in Redis.

Run from the project root (about two minutes; Redis on 127.0.0.1:6379, Debian's nginx at
/usr/sbin/nginx, openssl):

    .venv/bin/python bench/peak.py [-n 10000] [--seconds 60] [--courses 50] [--capped 5]
        [--clients 290] [--warmup 200] [--mail-worker off|auto]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/13]

It seeds a fresh PostgreSQL database with `seeds/employers.toml` and a generated schedule of
`--courses` courses in 2099, one session and one format each (digital or on site), of which
`--capped` have 20 to 50 seats. It starts two `courses serve` on free ports with
`COURSES_REDIS_URL` (that Redis database is emptied before and after) and
`COURSES_TRUSTED_PROXIES=127.0.0.1`, and nginx with `deploy/nginx/courses.conf` in front
(`front.py`: https with a self-signed certificate, as the site file serves everything but
certbot's challenge over https only). The rate limits are the defaults: 1000 registrations per
client address in ten minutes, 5 per mailbox and course.

After `--warmup` unmeasured registrations (a course of their own, at 50 a second), `-n`
registrations by `-n` people are sent through nginx over `--seconds` seconds, open loop and
evenly spaced (`paced.py`: each at its time, however the servers are doing, each on its own
TLS connection), for courses drawn at random (seeded), so that each capped course gets about
four to ten times its seats. The people come from `--clients` client addresses in turn (127.1.x.y,
bound before connecting): the peak comes from many municipalities' and regions' networks,
290 by default, each of which is many people behind one address, as the per-client limit
assumes.

`--mail-worker off` (the default): the servers only write each registration's mail to the
outbox, and the check counts outbox rows per registration; sending is measured by
`bench/mail_throughput.py`. `--mail-worker auto`: each serve runs its worker process as in
production, sending to an SMTP sink (`smtp_sink.py`); after the rush the benchmark waits for
the outbox to be sent and also checks that every outbox mail reached the sink exactly once.

Output: progress on stderr and one JSON line on stdout:

- `n`, `seconds`, `offered_per_s`, `achieved_per_s` (n over the time from the first scheduled
  send to the last answer), `courses`, `capped`, `clients`, `mail_worker`,
  `upstream_keepalive`, `limits` (`redis`, or `memory` for a diagnosis), `commit`;
- `errors`: registrations without a 2xx answer (target: 0; a full course's waitlist is 201),
  `statuses` (answers by status, or the client's error), `warmup_errors`;
- `p50_ms`, `p90_ms`, `p99_ms`, `max_ms`: from each registration's scheduled time to its
  answer's last byte (target: p99 under 1000 ms); `client_late_p99_ms`: how late the client
  itself started (large: the client, not the servers, fell behind);
- `seats_exact`: on every course confirmed + waiting rows are the registrations it accepted,
  each capped course has exactly min(seats, accepted) confirmed and its seat counter agrees,
  each uncapped course has them all confirmed (target: true); `oversold` (target: false);
  `capped_detail`: seats, accepted, confirmed, waitlisted per capped course;
- `registrations` (rows in the database), `mail_rows`, `mails_once`: every registration has
  exactly one outbox mail and there are no others (target: true); with the worker also
  `mails_sent`, `sink_once` (every outbox mail arrived at the sink exactly once);
- `nginx_errors`, `serve_errors`: nginx's error log (warnings and worse) and the serves'
  warnings and errors, lines by message (what went wrong when `errors` is not 0;
  `--keep-logs DIR` keeps the logs);
- `redis_keys`: keys in the Redis database after the rush (target: more than 0, the limits
  were counted there; with `--limits memory`, 0 and no target);
- `cpu_busy`: cores' worth of CPU per process over the rush: `serve_1`, `serve_2`, their
  `workers`, `nginx` (master and workers), `postgresql` (the database's server processes),
  `postgresql_rest` (PostgreSQL's other processes), `redis` (the whole Redis server), `client`
  (this process); `cpu_waiting`: the same processes' time runnable but waiting for a core
  (their main threads, /proc schedstat; large: the machine is short of cores, rather than the
  process slow); `cpu_ms_per_registration`: each one's CPU over the rush divided by the
  registrations made (2xx; without `postgresql_rest`), and `cores_needed` their sum at the
  offered rate: what the stack and its client need to keep up;
- `machine_busy`: all processes' CPU over the rush in cores, of `cores`; `load_before`,
  `load_after`: the 1-minute load average;
- `meets_targets`: all targets at once.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from argparse import Namespace
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from figures import MachineCpu, checks, latency_figures, log_errors, roles_cpu, wait_sent
from front import nginx_front, redis_command
from harness import (
    ROOT,
    Checkout,
    Postgres,
    Sqlite,
    free_port,
    positive,
    progress,
    run_databases,
    service_env,
    serving,
)
from load import request
from paced import Arrival, fire_paced
from smtp_sink import smtp_sink
from sqlalchemy.engine import make_url

TARGET_P99_MS = 1000.0
WARMUP = "peak-warmup"
_TOPICS = [
    "ASI grundutbildning",
    "Återfallsprevention",
    "Motiverande samtal",
    "CRA för personal",
    "KBT vid beroende",
    "LVM föreläsning",
    "Spelberoende",
    "Samsjuklighet",
    "Läkemedelsassisterad behandling",
    "HAP – haschavvänjningsprogram",
]
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


def schedule(folder: Path, args: Namespace) -> tuple[Path, dict[str, tuple[str, int | None]]]:
    """The generated schedule file, and each course's format key and seats by slug."""
    rng = random.Random(args.seed)
    courses: dict[str, tuple[str, int | None]] = {WARMUP: ("digital", None)}
    blocks = []
    every = args.courses / args.capped if args.capped else 0
    capped = {int(i * every) for i in range(args.capped)}
    for i in range(args.courses):
        on_site = i % 2 == 1
        key = "vaxjo" if on_site else "digital"
        courses[f"peak-{i + 1:02}"] = (key, rng.randint(20, 50) if i in capped else None)
    for slug, (key, seats) in courses.items():
        title = "Uppvärmning" if slug == WARMUP else f"{_TOPICS[len(blocks) % len(_TOPICS)]}"
        kind = 'kind = "on_site"\nplace = "Växjö"' if key == "vaxjo" else 'kind = "digital"'
        blocks.append(
            f'[[course]]\nslug = "{slug}"\ntitle = "{title} ({slug})"\n'
            'leaders = [{ name = "Bänk Testsson" }]\ndeadline = 2099-06-30\n'
            + ("" if seats is None else f"seats = {seats}\n")
            + f'[[course.format]]\nkey = "{key}"\n{kind}\n'
            "[[course.session]]\ndate = 2099-09-15\nstart = 09:00:00\nend = 16:00:00\n"
        )
    path = folder / "peak-schedule.toml"
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path, courses


def arrivals(
    n: int,
    seconds: float,
    port: int,
    courses: dict[str, tuple[str, int | None]],
    args: Namespace,
    *,
    warmup: bool = False,
) -> list[Arrival]:
    """`n` registrations by different people, evenly spaced over `seconds`; all for the
    warm-up course with `warmup`, else for courses drawn at random."""
    rng = random.Random(args.seed)
    measured = [slug for slug in courses if slug != WARMUP]
    shots = []
    for i in range(n):
        slug = WARMUP if warmup else rng.choice(measured)
        employer, domain = EMPLOYERS[i % len(EMPLOYERS)]
        body = {
            "name": f"Person {i}",
            "email": f"{'warmup' if warmup else 'peak'}{i}@{domain}",
            "employer": employer,
            "workplace": "Beroendemottagningen",
            "works_in_field": True,
            "format": courses[slug][0],
        }
        client = i % args.clients
        source = f"127.1.{client // 250}.{client % 250 + 1}"
        raw = request("POST", f"/api/courses/{slug}/registrations", port, body)
        shots.append(Arrival(i * seconds / n, slug, source, raw))
    return shots


def measure(db: Sqlite | Postgres, folder: Path, args: Namespace) -> Iterator[dict[str, Any]]:
    redis = make_url(args.redis_url)
    redis_at = (redis.host or "127.0.0.1", redis.port or 6379, int(redis.database or 0))
    checkout = Checkout(ROOT)
    in_redis = args.limits == "redis"
    with db.database("peak") as url, ExitStack() as stack:
        redis_command(*redis_at, "FLUSHDB")
        stack.callback(redis_command, *redis_at, "FLUSHDB")
        path, courses = schedule(folder, args)
        ports = [free_port(), free_port()]
        settings = {"redis_url": args.redis_url if in_redis else "", "trusted_proxies": "127.0.0.1"}
        # The default per-client limit: service_env raises it for one-address benchmarks.
        settings["rate_limit_client"] = "1000/10min"
        sink = stack.enter_context(smtp_sink(folder)) if args.mail_worker == "auto" else None
        if sink is not None:
            settings["smtp_url"] = sink.url
        env = service_env(url, ports[0], folder, **settings)
        checkout.cli(["seed", str(ROOT / "seeds" / "employers.toml")], env)
        checkout.cli(["seed", str(path)], env)
        servers = []
        for number, port in enumerate(ports, 1):
            command = checkout.serve(port, args.mail_worker)
            log = folder / f"serve-{number}.log"
            servers.append(stack.enter_context(serving(command, env, log, port)))
        front = stack.enter_context(nginx_front(ports, folder, keepalive=args.upstream_keepalive))
        progress(f"[peak] serves {[s.pid for s in servers]}, nginx {front.pid} on {front.https}")
        # The links in mails point at the public address (nginx), as in production.
        warmup = arrivals(args.warmup, args.warmup / 50, front.https, courses, args, warmup=True)
        warm = fire_paced(front.https, warmup, front.cert)
        progress(f"[peak] warm-up: {len(warm.answers)} sent, {warm.errors} errors")
        shots = arrivals(args.n, args.seconds, front.https, courses, args)
        cpu = roles_cpu(url, [s.pid for s in servers], front.pid)
        machine = MachineCpu()
        progress(f"[peak] {args.n} registrations over {args.seconds} s ...")
        rush = fire_paced(front.https, shots, front.cert)
        used = cpu.used()
        busy = {role: round(c / rush.wall_s, 3) for role, (c, _) in used.items()}
        waiting = {role: round(w / rush.wall_s, 3) for role, (_, w) in used.items()}
        made = max(args.n - rush.errors, 1)
        per_registration = {role: c * 1000 / made for role, (c, _) in used.items()}
        del per_registration["postgresql_rest"]  # not this benchmark's
        machine_busy = machine.busy()
        keys = int(redis_command(*redis_at, "DBSIZE")[1:].split(b"\r\n")[0])
        progress(f"[peak] done in {rush.wall_s:.1f} s, {rush.errors} errors; checking")
        mails = wait_sent(url) if sink is not None else None
        figures = checks(url, rush.accepted(), courses, sink, mails)
    logs = log_errors(folder)
    if args.keep_logs is not None:
        args.keep_logs.mkdir(parents=True, exist_ok=True)
        for kept in [*folder.glob("serve-*.log"), folder / "nginx" / "error.log"]:
            shutil.copy(kept, args.keep_logs / kept.name)
    latency = latency_figures(rush)
    line = {
        "database": db.name,
        "commit": checkout.commit(),
        "n": args.n,
        "seconds": args.seconds,
        "offered_per_s": round(args.n / args.seconds, 1),
        "achieved_per_s": round(args.n / rush.wall_s, 1),
        "courses": args.courses,
        "capped": args.capped,
        "clients": args.clients,
        "mail_worker": args.mail_worker,
        "upstream_keepalive": args.upstream_keepalive,
        "limits": args.limits,
        "errors": rush.errors,
        "statuses": rush.statuses,
        "warmup_errors": warm.errors,
        **latency,
        **figures,
        "redis_keys": keys,
        **logs,
        "cpu_busy": busy,
        "cpu_waiting": waiting,
        "cpu_ms_per_registration": {k: round(v, 2) for k, v in per_registration.items()},
        "cores_needed": round(sum(per_registration.values()) * args.n / args.seconds / 1000, 2),
        **machine_busy,
    }
    line["meets_targets"] = (
        rush.errors == 0
        and latency["p99_ms"] < TARGET_P99_MS
        and figures["seats_exact"]
        and figures["mails_once"]
        and figures.get("sink_once", True)
        and (keys > 0 or not in_redis)
    )
    yield line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.epilog = __doc__.split("\n\n", 1)[1]
    parser.add_argument("-n", type=positive, default=10000, help="registrations in the rush")
    parser.add_argument("--seconds", type=float, default=60.0, help="over how long")
    parser.add_argument("--courses", type=positive, default=50, help="courses to register for")
    parser.add_argument("--capped", type=int, default=5, help="of which capped (20-50 seats)")
    parser.add_argument("--clients", type=positive, default=290, help="client addresses")
    parser.add_argument("--warmup", type=positive, default=200, help="unmeasured ones first")
    parser.add_argument("--seed", type=int, default=17, help="for the draws")
    parser.add_argument("--mail-worker", choices=["off", "auto"], default="off")
    parser.add_argument(
        "--upstream-keepalive",
        type=int,
        default=0,
        metavar="N",
        help="an experiment: nginx keeps N idle connections to the serves (keepalive N; "
        "the site file has none: a new connection per request)",
    )
    parser.add_argument(
        "--limits",
        choices=["redis", "memory"],
        default="redis",
        help="where the serves count the rate limits: Redis (the default, as two instances "
        "must), or, as a diagnosis only, each in its own memory",
    )
    parser.add_argument(
        "--keep-logs", type=Path, metavar="DIR", help="copy the serves' and nginx's logs here"
    )
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a server URL whose user may CREATE and DROP databases",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="the Redis database the limits use, one no one else uses: it is emptied before "
        "and after (the deploy tests use 11 and 12, the API tests 9)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.sqlite = False  # several instances need PostgreSQL
    if args.capped > args.courses:
        _parser().error("--capped cannot exceed --courses")
    return run_databases(args, lambda db, folder: measure(db, folder, args))


if __name__ == "__main__":
    sys.exit(main())
