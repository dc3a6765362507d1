"""Scale-out as docs/operating.md promises it, on PostgreSQL: two `courses serve` instances and two
`courses worker` processes on one database. The 300-for-4-seats rush split across both
instances stays exact, and every mail reaches the SMTP server exactly once.

Real processes of the command line, as an operator runs them; the workers' own counters are
read from their `--metrics-port`, the registrations' from each instance's /metrics.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from courses.cli import main
from courses.storage.db import Database
from courses.storage.tables import outbox_table
from tests.conftest import SEEDS, registrant
from tests.mail.smtp_server import SmtpServer, _free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize(
        "db_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
    ),
]

ASI = "demo-asi-grund-2022"  # four seats; the demo copy is open today
RUSH = 300


class Processes:
    """`courses ...` child processes, stopped (SIGINT, as Ctrl+C) at the end."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self._env = env
        self._folder = folder
        self._running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *args: str) -> None:
        with (self._folder / f"{name}.log").open("wb") as log:
            self._running.append(
                subprocess.Popen(
                    [sys.executable, "-m", "courses.cli", *args],
                    env=self._env,
                    cwd=self._folder,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )

    def stop(self) -> None:
        for process in self._running:
            process.send_signal(signal.SIGINT)
        for process in self._running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_answering(url: str, *, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
def deployment(
    db_url: str, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[list[str], list[str]]]:
    """Two instances (mail worker off) and two workers; their base URLs and metrics URLs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env |= {
        "COURSES_DATABASE_URL": db_url,
        "COURSES_SMTP_URL": smtp.url,
        "COURSES_SECRET_KEY": "a-test-key-that-is-not-the-development-one",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["seed", str(SEEDS / "employers.toml")]) == 0
    assert main(["seed", str(SEEDS / "schedule-2022.toml"), "--demo"]) == 0
    processes = Processes(env, tmp_path)
    instances, exporters = [], []
    try:
        for n in range(2):
            port, metrics_port = _free_port(), _free_port()
            processes.start(f"serve-{n}", "serve", "--port", str(port), "--mail-worker", "off")
            processes.start(
                f"worker-{n}", "worker", "--poll", "0.05", "--metrics-port", str(metrics_port)
            )
            instances.append(f"http://127.0.0.1:{port}")
            exporters.append(f"http://127.0.0.1:{metrics_port}/metrics")
        for url in [f"{base}/api/health" for base in instances] + exporters:
            wait_until_answering(url)
        yield instances, exporters
    finally:
        processes.stop()


def metric(url: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(httpx.get(url).text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


async def rush(instances: list[str]) -> list[httpx.Response]:
    """RUSH people at once, every other one through the other instance."""
    limits = httpx.Limits(max_connections=RUSH + 100, max_keepalive_connections=0)
    async with httpx.AsyncClient(limits=limits, timeout=120) as http:
        return list(
            await asyncio.gather(
                *(
                    http.post(
                        f"{instances[n % 2]}/api/courses/{ASI}/registrations", json=registrant(n)
                    )
                    for n in range(RUSH)
                )
            )
        )


async def outbox_rows(db_url: str) -> list[Any]:
    db = Database.from_url(db_url, pool_size=1)
    try:
        async with db.read() as conn:
            return list((await conn.execute(select(outbox_table))).all())
    finally:
        await db.dispose()


async def all_sent(db_url: str, *, within: float = 120) -> list[Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        rows = await outbox_rows(db_url)
        if rows and {row.status for row in rows} == {"sent"}:
            return rows
        await asyncio.sleep(0.2)
    raise AssertionError(f"not every mail was sent: {Counter(r.status for r in rows)}")


async def test_two_instances_and_two_workers_on_one_postgresql_stay_exact(
    deployment: tuple[list[str], list[str]], db_url: str, smtp: SmtpServer
) -> None:
    instances, exporters = deployment

    responses = await rush(instances)
    rows = await all_sent(db_url)

    failed = [(r.status_code, r.text[:200]) for r in responses if r.status_code != 201]
    assert failed == []
    created = [r.json() for r in responses]
    assert sum(1 for c in created if c["status"] == "confirmed") == 4
    positions = sorted(c["waitlist_position"] for c in created if c["status"] == "waitlisted")
    assert positions == list(range(1, RUSH - 4 + 1))
    answered = {
        outcome: [
            metric(f"{base}/metrics", "courses_registrations_total", outcome=outcome)
            for base in instances
        ]
        for outcome in ("confirmed", "waitlisted")
    }
    assert sum(answered["confirmed"]) == 4
    assert [c + w for c, w in zip(*answered.values(), strict=True)] == [RUSH / 2, RUSH / 2]
    # Every mail exactly once, by Message-ID, whichever worker sent it.
    received = Counter(smtp.message_ids())
    assert set(received.values()) == {1}
    assert set(received) == {f"<{row.message_id}@localhost>" for row in rows}
    assert len({row.claimed_by for row in rows}) == 2
    sent_by = [metric(url, "courses_mail_results_total", result="sent") for url in exporters]
    assert sum(sent_by) == len(rows)
    # A worker's own exporter reads the database too: it was reported down all the time.
    assert [metric(url, "courses_database_up") for url in exporters] == [1.0, 1.0]
