"""What `peak.py` reads after (and during) its rush: latency percentiles, the database's seats
and outbox, and where the CPU went (Linux /proc)."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from front import children
from harness import cpu_s, query
from load import percentile
from paced import Rush
from smtp_sink import Sink
from sqlalchemy.engine import make_url

__all__ = ["MachineCpu", "checks", "latency_figures", "roles_cpu", "wait_sent"]


def latency_figures(rush: Rush) -> dict[str, float]:
    latencies = sorted(a.latency_s * 1000 for a in rush.answers)
    late = sorted(a.late_s * 1000 for a in rush.answers)
    return {
        **{f"p{q}_ms": round(percentile(latencies, q), 1) for q in (50, 90, 99)},
        "max_ms": round(latencies[-1], 1),
        "client_late_p99_ms": round(percentile(late, 99), 1),
    }


# --- Seats and mail --------------------------------------------------------------------------

_SEATS = """
SELECT c.slug, c.seats, c.confirmed_count, r.status, count(r.id)
FROM course c LEFT JOIN registration r ON r.course_id = c.id
GROUP BY c.slug, c.seats, c.confirmed_count, r.status
"""
_NOT_ONE_MAIL = """
SELECT count(*) FROM (
    SELECT r.id FROM registration r LEFT JOIN outbox_mail o ON o.registration_id = r.id
    GROUP BY r.id HAVING count(o.id) <> 1
) AS odd
"""
_UNSENT = "SELECT count(*) FROM outbox_mail WHERE status IN ('pending', 'sending')"


def wait_sent(url: str, *, within: float = 600) -> float:
    """Seconds until no mail is pending or in flight (gives up after `within`)."""
    started = time.monotonic()
    while query(url, _UNSENT)[0][0] and time.monotonic() - started < within:
        time.sleep(0.5)
    return time.monotonic() - started


def checks(
    url: str,
    accepted: Counter[str],
    courses: dict[str, tuple[str, int | None]],
    sink: Sink | None,
    sent_after_s: float | None,
) -> dict[str, Any]:
    """Seats and mail, from the database (and the sink's log)."""
    rows: dict[str, Counter[str]] = {}
    counters: dict[str, int] = {}
    for slug, _seats, confirmed_count, status, count in query(url, _SEATS):
        rows.setdefault(slug, Counter())[status] += count
        counters[slug] = confirmed_count
    exact, oversold, detail = True, False, []
    for slug, (_key, cap) in courses.items():
        if slug not in rows:
            return {"seats_exact": False, "oversold": None, "missing_course": slug}
        if slug.endswith("warmup"):
            continue
        got, due = rows[slug], accepted[slug]
        confirmed, waiting = got["confirmed"], got["waitlisted"]
        should = due if cap is None else min(cap, due)
        exact &= confirmed == should and confirmed + waiting == due == sum(got.values())
        if cap is not None:
            exact &= counters[slug] == confirmed
            oversold |= confirmed > cap
            detail.append(
                {"slug": slug, "seats": cap, "accepted": due, "confirmed": confirmed}
                | {"waitlisted": waiting, "seat_counter": counters[slug]}
            )
    registrations = query(url, "SELECT count(*) FROM registration")[0][0]
    mail_rows = query(url, "SELECT count(*) FROM outbox_mail")[0][0]
    not_one = query(url, _NOT_ONE_MAIL)[0][0]
    found: dict[str, Any] = {
        "seats_exact": exact,
        "oversold": oversold,
        "capped_detail": detail,
        "registrations": registrations,
        "mail_rows": mail_rows,
        "registrations_without_one_mail": not_one,
        "mails_once": not_one == 0 and mail_rows == registrations,
    }
    if sink is not None:
        ids = Counter(mid.strip("<>").partition("@")[0] for _, mid in sink.received(0))
        stored = query(url, "SELECT message_id, status FROM outbox_mail")
        found["mails_sent"] = sum(status == "sent" for _, status in stored)
        found["sink_once"] = len(ids) == len(stored) and all(ids[m] == 1 for m, _ in stored)
        found["mail_drained_after_s"] = None if sent_after_s is None else round(sent_after_s, 1)
    return found


_NGINX_MESSAGE = re.compile(r"\[(\w+)\] [\d#]+: (?:\*\d+ )?([^,(]*)")


def log_errors(folder: Path) -> dict[str, dict[str, int]]:
    """nginx's error-log lines and the serves' warnings and errors, counted by message."""
    nginx: Counter[str] = Counter()
    error_log = folder / "nginx" / "error.log"
    for line in error_log.read_text(errors="replace").splitlines() if error_log.exists() else []:
        if found := _NGINX_MESSAGE.search(line):
            nginx[f"{found[1]}: {found[2].strip()}"] += 1
    serve: Counter[str] = Counter()
    for log in folder.glob("serve-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            words = line.split(" ", 3)  # date, time, level, "logger: message"
            if line.startswith("Traceback") or words[2:3] in (["WARNING"], ["ERROR"]):
                serve[" ".join(words[2:])[:120]] += 1
    return {
        "nginx_errors": dict(nginx.most_common(10)),
        "serve_errors": dict(serve.most_common(10)),
    }


# --- CPU -------------------------------------------------------------------------------------


Processes = list[tuple[int, str]]
"""Every process's id and command line, read once per sample."""


def _processes() -> Processes:
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            found.append((int(entry.parent.name), entry.read_bytes().replace(b"\0", b" ")))
        except OSError:
            continue
    return [(pid, line.decode(errors="replace")) for pid, line in found]


def _wait_s(pid: int) -> float:
    """Seconds process `pid`'s main thread has spent runnable but waiting for a CPU (Linux
    /proc schedstat), 0.0 if unknown."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


class _Sampler:
    """CPU seconds and run-queue wait per role over a window: each role's processes are looked
    up again every second (PostgreSQL's backends come and go with the pools), a process that
    appears counts from zero, one that ends keeps what it was last seen at."""

    def __init__(self, roles: dict[str, Callable[[Processes], Sequence[int]]]) -> None:
        self.roles = roles
        self.first: dict[str, dict[int, tuple[float, float]]] = {}
        self.last: dict[str, dict[int, tuple[float, float]]] = {role: {} for role in roles}
        self._sample(first=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self, *, first: bool = False) -> None:
        processes = _processes()
        for role, pids in self.roles.items():
            for pid in pids(processes):
                if (cpu := cpu_s(pid)) is not None:
                    self.last[role][pid] = (cpu, _wait_s(pid))
            if first:
                self.first[role] = dict(self.last[role])

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def used(self) -> dict[str, tuple[float, float]]:
        """Per role: CPU seconds used, seconds spent waiting for a CPU."""
        self._stop.set()
        self._thread.join()
        self._sample()
        used = {}
        for role, last in self.last.items():
            first = self.first[role]
            cpu = sum(c - first.get(pid, (0.0, 0.0))[0] for pid, (c, _) in last.items())
            wait = sum(w - first.get(pid, (0.0, 0.0))[1] for pid, (_, w) in last.items())
            used[role] = (cpu, wait)
        return used


def _fixed(pids: list[int]) -> Callable[[Processes], list[int]]:
    return lambda _processes: pids


def roles_cpu(url: str, serves: Sequence[int], nginx: int) -> _Sampler:
    """Start counting the CPU of the serves, their workers, nginx, PostgreSQL, Redis and this
    process (the client)."""
    database = make_url(url).database

    def postgres(processes: Processes, *, ours: bool) -> list[int]:
        return [
            pid
            for pid, line in processes
            if line.startswith("postgres: ") and (f" {database} " in line) == ours
        ]

    roles: dict[str, Callable[[Processes], Sequence[int]]] = {
        f"serve_{n}": _fixed([pid]) for n, pid in enumerate(serves, 1)
    }
    roles |= {
        "workers": _fixed([child for pid in serves for child in children(pid)]),
        "nginx": _fixed([nginx, *children(nginx)]),
        "postgresql": lambda processes: postgres(processes, ours=True),
        "postgresql_rest": lambda processes: postgres(processes, ours=False),
        "redis": _fixed([p for p, line in _processes() if line.startswith("redis-server")]),
        "client": _fixed([os.getpid()]),
    }
    return _Sampler(roles)


class MachineCpu:
    """All processes' CPU over a window (/proc/stat), and the load average around it."""

    def __init__(self) -> None:
        self.load_before = os.getloadavg()[0]
        self.busy_ticks, self.started = self._busy(), time.monotonic()

    @staticmethod
    def _busy() -> int:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields[:8]) - fields[3] - fields[4]  # all but idle and iowait, no guests

    def busy(self) -> dict[str, float]:
        seconds = (self._busy() - self.busy_ticks) / os.sysconf("SC_CLK_TCK")
        return {
            "machine_busy": round(seconds / (time.monotonic() - self.started), 3),
            "cores": os.cpu_count() or 1,
            "load_before": round(self.load_before, 2),
            "load_after": round(os.getloadavg()[0], 2),
        }
