"""`COURSES_REDIS_URL`: the rate-limit counters live in Redis, so instances count together;
when Redis cannot be reached the limits fail open (one warning a minute, and /metrics says
so) and apply again once it answers, without a restart.

The shared counting runs against the machine's Redis on 127.0.0.1:6379 (`.ci/run` starts it);
the outage against a redis-server of the test's own, stopped and started again.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import redis
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.api.http import ratelimit
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate, Settings, SettingsError
from tests.api.test_rate_limits import OFF, assert_too_many
from tests.conftest import registrant as body
from tests.mail.smtp_server import _free_port

LVM = "/api/courses/lvm-forelasning-2022/registrations"
SHARED_REDIS = os.environ.get("COURSES_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
LIMITED: dict[str, Any] = {**OFF, "client_registration_rate": Rate(2, 600)}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the Redis tests")
    pytest.skip(reason)


@pytest.fixture
def shared_redis() -> str:
    """The machine's Redis, its test database emptied of earlier runs' counters."""
    client = redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        _unavailable(f"no Redis at {SHARED_REDIS} (start it: redis-server --daemonize yes)")
    for key in client.scan_iter("courses-limits*"):
        client.delete(key)
    client.close()
    return SHARED_REDIS


class RedisServer:
    """A redis-server of this test's own on a free port, to stop and start again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_two_instances_count_together(
    seeded: ServiceContext, clock: FixedClock, shared_redis: str
) -> None:
    settings = replace(seeded.settings, **LIMITED, redis_url=shared_redis)
    async with (
        AsyncTestClient(create_app(settings, clock=clock)) as first,
        AsyncTestClient(create_app(settings, clock=clock)) as second,
    ):
        answers = [
            await first.post(LVM, json=body(1)),
            await second.post(LVM, json=body(2)),
            await first.post(LVM, json=body(3)),
            await second.post(LVM, json=body(4)),
        ]

    assert [r.status_code for r in answers[:2]] == [201, 201]
    for refused in answers[2:]:
        assert_too_many(refused)


async def test_without_redis_the_limits_fail_open_and_come_back_when_it_answers(
    seeded: ServiceContext,
    clock: FixedClock,
    own_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = replace(seeded.settings, **LIMITED, redis_url=own_redis.url)
    caplog.set_level(logging.WARNING, logger=ratelimit.__name__)
    # Redis is asked again on every request, not after a few seconds: the test needs no wait.
    monkeypatch.setattr(ratelimit, "_ASK_AGAIN_AFTER", 0.0)
    async with AsyncTestClient(create_app(settings, clock=clock)) as api:
        before = [(await api.post(LVM, json=body(n))).status_code for n in range(3)]
        own_redis.stop()
        during = [(await api.post(LVM, json=body(n))).status_code for n in range(3, 9)]
        metrics_during = (await api.get("/metrics")).text
        warnings_during = [r.getMessage() for r in caplog.records]

        own_redis.start()  # empty: the counts start again
        after = [await api.post(LVM, json=body(n)) for n in range(9, 12)]
        metrics_after = (await api.get("/metrics")).text

    assert before == [201, 201, 429]
    assert during == [201] * 6
    assert "courses_rate_limit_storage_up 0.0" in metrics_during
    assert len(warnings_during) == 1
    assert "Redis cannot be reached" in warnings_during[0]
    assert [r.status_code for r in after[:2]] == [201, 201]
    assert_too_many(after[2])
    assert "courses_rate_limit_storage_up 1.0" in metrics_after
    assert "Redis answers again" in caplog.records[-1].getMessage()


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("localhost:6379", "ska börja med redis://"),
        ("redis://:6379/0", "anger ingen värd"),
        ("redis://127.0.0.1:port/0", "port som inte är ett tal"),
        ("redis://127.0.0.1:6379/cache", "ska vara ett nummer"),
    ],
)
def test_a_malformed_redis_url_names_the_setting(value: str, says: str) -> None:
    with pytest.raises(SettingsError, match="COURSES_REDIS_URL") as refused:
        Settings.from_env({"COURSES_REDIS_URL": value})

    assert says in str(refused.value)
    assert "6379/cache" not in repr(Settings(redis_url="redis://:hemligt@h/0"))
