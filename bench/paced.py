"""An open-loop client: requests sent at the times of an arrival schedule, whatever the server
does, each over its own TLS connection from a source address of its own.

A closed-loop client (`load.fire`: c visitors, each sending its next request once the last is
answered) slows down with the server, so that a slow server is asked less and its latency
looks better than a crowd would see it. Here every request has its time: it is sent then (or
as soon as the client can, `late_ms` says how much later), and its latency is counted from
that time to the last byte of the answer, so a queue anywhere shows in the percentiles.

A request's source address is any of 127.0.0.0/8 (Linux routes all of it to the loopback
interface): a client socket binds to it before it connects, so that nginx, and through its
X-Forwarded-For the service's rate limits, see as many clients as the schedule names.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from load import HOST, run

__all__ = ["Answer", "Arrival", "Rush", "fire_paced"]


@dataclass(frozen=True, slots=True)
class Arrival:
    at: float
    """Seconds after the start of the rush."""
    target: str
    source: str
    """The client's address, 127.x.y.z."""
    raw: bytes


@dataclass(frozen=True, slots=True)
class Answer:
    target: str
    status: int | None
    """None: no HTTP answer (`error` says why, and whether while connecting, TLS handshake
    included, or waiting for the answer)."""
    latency_s: float
    """From the scheduled time to the answer's last byte."""
    late_s: float
    """How long after its scheduled time the client began to connect."""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Rush:
    answers: list[Answer]
    wall_s: float
    """From the first scheduled time to the last answer."""

    @property
    def errors(self) -> int:
        return sum(not a.ok for a in self.answers)

    @property
    def statuses(self) -> dict[str, int]:
        return dict(sorted(Counter(str(a.status or a.error) for a in self.answers).items()))

    def accepted(self) -> Counter[str]:
        return Counter(a.target for a in self.answers if a.ok)


async def _one(arrival: Arrival, port: int, tls: ssl.SSLContext, start: float) -> Answer:
    loop = asyncio.get_running_loop()
    due = start + arrival.at
    await asyncio.sleep(max(0.0, due - loop.time()))
    began = loop.time()
    answer, error, step = b"", None, "connect"
    try:
        async with asyncio.timeout(60):
            reader, writer = await asyncio.open_connection(
                HOST, port, ssl=tls, server_hostname=HOST, local_addr=(arrival.source, 0)
            )
            step = "answer"
            try:
                writer.write(arrival.raw)
                while chunk := await reader.read(65536):
                    answer += chunk
            finally:
                writer.close()
    except (OSError, TimeoutError) as exc:
        # An abrupt TLS end after a whole answer still counts as that answer.
        error = f"{type(exc).__name__} ({step})"
    done = loop.time()
    head = answer.split(b"\r\n", 1)[0].split(b" ")
    status = None
    if answer.startswith(b"HTTP/1.") and len(head) > 1 and head[1].isdigit():
        status, error = int(head[1]), None
    elif error is None:
        error = "not-http"
    return Answer(arrival.target, status, done - due, began - due, error)


async def _fire(port: int, arrivals: Sequence[Arrival], cert: Path) -> Rush:
    tls = ssl.create_default_context(cafile=str(cert))
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5  # time to make the tasks before the first is due
    tasks = [asyncio.create_task(_one(a, port, tls, start)) for a in arrivals]
    answers = list(await asyncio.gather(*tasks))
    return Rush(answers, loop.time() - start)


def fire_paced(port: int, arrivals: Sequence[Arrival], cert: Path) -> Rush:
    """Send every arrival at its time over https to 127.0.0.1:`port` (trusting `cert`)."""
    return run(_fire(port, arrivals, cert))
