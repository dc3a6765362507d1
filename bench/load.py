"""What the benchmarks send, and the client that sends it.

The schedule (`rush-schedule.toml`) has an uncapped course, a course capped at 50 seats and a
course whose two formats are capped (20 on site, 30 digital), plus a warm-up course. Of every
ten registrants six go to the uncapped course, two to the capped one and one to each capped
format; with `-n 2000` that is 400 people for 50 seats and 100 for each room, so the seat
guards and the waitlist are busy and "oversold" means something.

The client speaks HTTP/1.1 on raw asyncio streams: every request on its own TCP connection
(`Connection: close`), as many independent visitors do, with the request bytes built before
the clock starts, so it spends its CPU on sockets only (`client_cpu_s` shows how much).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
import urllib.parse
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

HOST = "127.0.0.1"
SCHEDULE = Path(__file__).resolve().parent / "rush-schedule.toml"
WARMUP = "rush-warmup"
_T = TypeVar("_T")
_ROTATION = (
    *(("rush-open", "digital"),) * 6,
    *(("rush-capped", "digital"),) * 2,
    ("rush-rooms", "ljungby"),
    ("rush-rooms", "digital"),
)


@dataclass(frozen=True, slots=True)
class FormToken:
    """The CSRF cookie and the form's token of a page, as a browser holds them."""

    cookie: str
    token: str


@dataclass(frozen=True, slots=True)
class Shot:
    target: str
    """What it is for, `slug/format`, to count the answers by."""
    raw: bytes


def registrations(
    n: int,
    port: int,
    *,
    warmup: bool = False,
    prefix: str = "person",
    page: FormToken | None = None,
    employers: Sequence[tuple[str, str]] = (("vaxjo", "vaxjo.se"),),
) -> list[Shot]:
    """`n` registrations by `n` different people (`prefix` tells runs apart); all for the
    warm-up course with `warmup`, else in the rotation above. With `page`, each is the course
    page's form POSTed as a browser sends it (form-encoded, with the CSRF cookie and token),
    else the API's JSON. `employers` (key, mail domain) take turns: one by default."""
    rotation = ((WARMUP, "digital"),) if warmup else _ROTATION
    shots = []
    for i in range(n):
        slug, key = rotation[i % len(rotation)]
        employer, domain = employers[i % len(employers)]  # seeds/employers.toml
        body = {
            "name": f"Person {i}",
            "email": f"{'warmup-' if warmup else ''}{prefix}{i}@{domain}",
            "employer": employer,
            "workplace": "Beroendemottagningen",
            "works_in_field": True,
            "format": key,
        }
        if page is None:
            raw = request("POST", f"/api/courses/{slug}/registrations", port, body)
        else:
            raw = _form_post(f"/kurser/{slug}", port, body, page)
        shots.append(Shot(f"{slug}/{key}", raw))
    return shots


def _form_post(path: str, port: int, body: dict[str, Any], page: FormToken) -> bytes:
    fields = {k: ("ja" if v is True else str(v)) for k, v in body.items()}
    data = urllib.parse.urlencode({**fields, "_csrf_token": page.token}).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Connection: close",
        "Content-Type: application/x-www-form-urlencoded",
        f"Content-Length: {len(data)}",
        f"Cookie: {page.cookie}",
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + data


def form_token(port: int, slug: str = WARMUP) -> FormToken:
    """What a browser gets from opening a course page: the CSRF cookie and the form's token
    (one pair serves any number of POSTs, as one person's browser tab would)."""
    answer = run(_read(port, request("GET", f"/kurser/{slug}", port)))
    cookie = re.search(rb"(?im)^set-cookie: (courses_csrf=[^;\r\n]+)", answer)
    token = re.search(rb'name="_csrf_token" value="([^"]+)"', answer)
    if cookie is None or token is None:
        raise RuntimeError(f"no CSRF cookie or form token on /kurser/{slug}")
    return FormToken(cookie[1].decode(), token[1].decode())


def run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run on uvloop when it is installed (the servers' uvicorn uses it too): a cheaper client."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


def request(method: str, path: str, port: int, payload: Any = None) -> bytes:
    body = b"" if payload is None else json.dumps(payload).encode()
    head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if payload is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _read(port: int, raw: bytes) -> bytes:
    """The whole answer to one request on its own connection, read until the server closes."""
    async with asyncio.timeout(60):
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(raw)
            return await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def send(port: int, raw: bytes) -> int:
    """The status of one request on its own connection."""
    answer = await _read(port, raw)
    status = answer.split(b" ", 2)[1:2]
    if not answer.startswith(b"HTTP/1.") or not status or not status[0].isdigit():
        raise ValueError(f"not an HTTP answer: {answer[:60]!r}")
    return int(status[0])


async def health(port: int) -> int | None:
    with contextlib.suppress(OSError, TimeoutError, ValueError):
        return await send(port, request("GET", "/api/health", port))
    return None


@dataclass(frozen=True, slots=True)
class Outcome:
    target: str
    status: int | None  # None: no answer, or not an HTTP one
    latency_s: float

    @property
    def ok(self) -> bool:
        """Registered: 201 from the API (waitlisted too), 303 to the receipt from the page."""
        return self.status is not None and (200 <= self.status < 300 or self.status == 303)


@dataclass(frozen=True, slots=True)
class Volley:
    outcomes: list[Outcome]
    wall_s: float
    client_cpu_s: float

    @property
    def errors(self) -> int:
        return sum(not o.ok for o in self.outcomes)

    @property
    def statuses(self) -> dict[str, int]:
        return dict(sorted(Counter(str(o.status or "error") for o in self.outcomes).items()))

    def accepted(self) -> Counter[str]:
        return Counter(o.target for o in self.outcomes if o.ok)

    def latencies_ms(self) -> list[float]:
        return sorted(o.latency_s * 1000 for o in self.outcomes)


async def _fire(port: int, shots: Sequence[Shot], concurrency: int) -> Volley:
    queue, outcomes = iter(shots), []

    async def visitor() -> None:
        for shot in queue:  # one shared iterator: the next shot as soon as one is answered
            started = time.perf_counter()
            status: int | None = None
            with contextlib.suppress(OSError, TimeoutError, ValueError):
                status = await send(port, shot.raw)
            outcomes.append(Outcome(shot.target, status, time.perf_counter() - started))

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(visitor() for _ in range(concurrency)))
    return Volley(outcomes, time.perf_counter() - started, time.process_time() - cpu)


def fire(port: int, shots: Sequence[Shot], concurrency: int) -> Volley:
    """Send `shots` with at most `concurrency` in flight; every outcome, wall time, client CPU."""
    return run(_fire(port, shots, concurrency))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of already sorted values."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(math.ceil(q / 100 * len(sorted_values)), 1) - 1]
