"""A tiny HTTP/1.1 client on raw asyncio streams, and the load generator built on it.

Every request opens its own TCP connection to 127.0.0.1, sends `Connection: close`, and reads
until the server closes: no keep-alive, no pooling, as many independent visitors would do. The
request bytes are built before the clock starts, so the client spends its CPU on sockets only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HOST",
    "Outcome",
    "ProtocolError",
    "Response",
    "Shot",
    "Volley",
    "build_request",
    "fire",
    "parse_response",
    "percentile",
    "request_json",
    "send",
]

HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 60.0


class ProtocolError(Exception):
    """The server's answer is not an HTTP/1.1 response this client understands."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def build_request(method: str, path: str, port: int, payload: Any = None) -> bytes:
    """The bytes of one request; `payload` (if not None) is sent as a JSON body."""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        "Connection: close",
        "Accept: application/json",
        "User-Agent: registration-rush",
    ]
    body = b""
    if payload is not None:
        body = json.dumps(payload).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def _dechunk(data: bytes) -> bytes:
    body = bytearray()
    while True:
        size_line, sep, rest = data.partition(b"\r\n")
        if not sep:
            raise ProtocolError("truncated chunked body")
        size = int(size_line.split(b";", 1)[0], 16)
        if size == 0:
            return bytes(body)
        body += rest[:size]
        data = rest[size + 2 :]


def parse_response(raw: bytes) -> Response:
    """Status and body of a complete response (Content-Length or chunked)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ProtocolError(f"incomplete response ({len(raw)} bytes)")
    status_line, *header_lines = head.split(b"\r\n")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {status_line[:80]!r}")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = _dechunk(body)
    elif b"content-length" in headers and len(body) < int(headers[b"content-length"]):
        raise ProtocolError("truncated body")
    return Response(status=int(parts[1]), body=body)


async def send(port: int, request: bytes) -> Response:
    """One request on a fresh connection; the answer is read until the server closes."""
    async with asyncio.timeout(REQUEST_TIMEOUT_S):
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(request)
            raw = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
    return parse_response(raw)


async def request_json(port: int, method: str, path: str, payload: Any = None) -> Response:
    return await send(port, build_request(method, path, port, payload))


@dataclass(frozen=True, slots=True)
class Shot:
    """One prepared request; `target` says what it is for (e.g. a course and format)."""

    target: str
    request: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    target: str
    status: int | None
    """None when the connection failed or the answer was not HTTP."""
    latency_s: float
    body: bytes

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Volley:
    """What one burst of requests gave: every outcome, the wall time and the client's CPU."""

    outcomes: list[Outcome]
    wall_s: float
    client_cpu_s: float

    @property
    def errors(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)

    @property
    def statuses(self) -> dict[str, int]:
        counts = Counter("error" if o.status is None else str(o.status) for o in self.outcomes)
        return dict(sorted(counts.items()))

    def latencies_ms(self) -> list[float]:
        return sorted(o.latency_s * 1000 for o in self.outcomes)


async def _shoot(port: int, shot: Shot) -> Outcome:
    started = time.perf_counter()
    try:
        response = await send(port, shot.request)
    except (OSError, TimeoutError, ProtocolError, ValueError) as exc:
        return Outcome(shot.target, None, time.perf_counter() - started, repr(exc).encode())
    return Outcome(shot.target, response.status, time.perf_counter() - started, response.body)


async def _worker(port: int, queue: Iterator[Shot], outcomes: list[Outcome]) -> None:
    # One shared iterator: each worker takes the next shot as soon as its last one is answered.
    for shot in queue:
        outcomes.append(await _shoot(port, shot))


async def fire(port: int, shots: Sequence[Shot], concurrency: int) -> Volley:
    """Send `shots` with at most `concurrency` requests in flight; each on its own connection."""
    queue = iter(shots)
    outcomes: list[Outcome] = []
    cpu_before = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(_worker(port, queue, outcomes) for _ in range(concurrency)))
    wall_s = time.perf_counter() - started
    return Volley(outcomes, wall_s, time.process_time() - cpu_before)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of already sorted values."""
    if not sorted_values:
        return math.nan
    rank = max(math.ceil(q / 100 * len(sorted_values)), 1)
    return sorted_values[rank - 1]
