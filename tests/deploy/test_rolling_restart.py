"""A rolling restart under load loses no request: while a few clients keep reading pages and
the API and registering through nginx, instance A is stopped (SIGTERM, as systemd does) and
started again, then B. nginx sends what the stopped one refuses to the other
(proxy_next_upstream), and an instance that gets SIGTERM finishes what it holds.

The figures (requests, failures, latency during the restart) are printed: run with -s.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.conftest import registrant
from tests.deploy.support import Instance, Site, running_site

pytestmark = [pytest.mark.slow, pytest.mark.postgresql]

ASI = "demo-asi-grund-2022"
CLIENTS = 4
THINK = 0.05  # seconds between a client's requests: load, not a benchmark on 2 shared cores
# What a client does, in turn: pages and the API, and every fourth time a registration.
READS = ["/", f"/kurser/{ASI}", "/api/courses", f"/api/courses/{ASI}"]


@dataclass
class Tally:
    durations: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    registrations: int = 0


@pytest.fixture
def site(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    # Everyone comes from 127.0.0.1 here: the per-client registration limit is not the subject.
    with running_site(
        seeded_url, tmp_path_factory.mktemp("rolling"), redis_db=12, rate_limit_client="off"
    ) as site:
        yield site


async def _client(site: Site, tally: Tally, people: Iterator[int], stop: asyncio.Event) -> None:
    async with site.client(timeout=30) as http:
        for turn in itertools.count():
            if stop.is_set():
                return
            await asyncio.sleep(THINK)
            started = time.monotonic()
            if turn % 5 == 4:
                person = next(people)
                what = f"POST registration {person}"
                request = http.post(f"/api/courses/{ASI}/registrations", json=registrant(person))
                expected = 201
            else:
                what = f"GET {READS[turn % 5]}"
                request = http.get(READS[turn % 5])
                expected = 200
            try:
                answer = await request
            except httpx.HTTPError as exc:
                tally.failures.append(f"{what}: {exc!r}")
                continue
            tally.durations.append(time.monotonic() - started)
            if answer.status_code != expected:
                tally.failures.append(f"{what}: {answer.status_code} {answer.text[:200]}")
            elif expected == 201:
                tally.registrations += 1


async def _restart(instance: Instance) -> tuple[int, float, float]:
    """SIGTERM, wait for the exit, start again and wait until it answers; the exit status,
    how long the stop took and how long the instance was away."""
    started = time.monotonic()
    status = await asyncio.to_thread(instance.stop)
    stopping = time.monotonic() - started
    await asyncio.sleep(0.5)  # a moment with one instance only
    instance.start()
    await asyncio.to_thread(instance.wait_until_ready)
    return status, stopping, time.monotonic() - started


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


async def test_a_rolling_restart_under_load_loses_no_request(site: Site) -> None:
    tally, stop = Tally(), asyncio.Event()
    people = itertools.count(1000)
    clients = [asyncio.create_task(_client(site, tally, people, stop)) for _ in range(CLIENTS)]
    await asyncio.sleep(1)
    before = len(tally.durations)
    restart_started = time.monotonic()
    statuses, stopping, away = [], [], []
    for instance in site.instances:
        status, stop_seconds, seconds = await _restart(instance)
        statuses.append(status)
        stopping.append(stop_seconds)
        away.append(seconds)
        await asyncio.sleep(0.5)
    during = tally.durations[before:]
    restart_seconds = time.monotonic() - restart_started
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.gather(*clients)

    print(
        f"\nrolling restart: {len(tally.durations) + len(tally.failures)} requests "
        f"({tally.registrations} registrations), {len(tally.failures)} failed; "
        f"during the restart ({restart_seconds:.1f} s; SIGTERM to exit "
        f"{stopping[0]:.2f} s and {stopping[1]:.2f} s; instances away {away[0]:.1f} s and "
        f"{away[1]:.1f} s): {len(during)} requests, "
        f"p50 {_percentile(during, 0.5) * 1000:.0f} ms, "
        f"p99 {_percentile(during, 0.99) * 1000:.0f} ms"
    )
    assert tally.failures == []
    # Requests did reach the stopped instances, and nginx passed them on (POSTs included).
    refused = [
        line for line in site.nginx_log(tail=10**7).splitlines() if "Connection refused" in line
    ]
    assert any("GET " in line for line in refused)
    assert any("POST " in line for line in refused)
    # uvicorn finishes its requests and the app's shutdown, then ends by the SIGTERM it caught
    # (which systemd counts as a clean stop).
    assert set(statuses) <= {0, -signal.SIGTERM}, statuses
    for instance in site.instances:
        assert instance.log(tail=10**7).count("Application shutdown complete") == 1
    assert len(during) > 50, "too little load during the restart to tell anything"
    assert tally.registrations > 10
