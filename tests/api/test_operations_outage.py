"""A database that cannot be reached answers 503 problem+json with Retry-After, never a 500 with
a trace, and the service recovers by itself. (A PostgreSQL restart under load is in
tests/concurrency/test_outage.py.)"""

from __future__ import annotations

import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import exc as sa_exc

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.catalogue import listing
from courses.services.operations import database_unavailable
from courses.settings import Settings
from tests.conftest import registrant
from tests.log_lines import captured_logs, json_lines
from tests.unreachable import (
    refusing_postgresql_url,
    settle_failed_sqlite_connects,
    unopenable_sqlite_url,
)

Client = AsyncTestClient[Any]


def unreachable_urls(tmp_path: Path) -> dict[str, str]:
    return {
        "sqlite file that cannot be opened": unopenable_sqlite_url(tmp_path),
        "postgresql refusing connections": refusing_postgresql_url(),
    }


@pytest.fixture(params=["sqlite file that cannot be opened", "postgresql refusing connections"])
async def down(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[Client]:
    """The app over a database that is not there; it starts (nothing connects until asked)."""
    url = unreachable_urls(tmp_path)[request.param]
    settings = Settings(database_url=url, base_url="http://kurser.test")
    app = create_app(settings, clock=clock, migrate=False)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client
        settle_failed_sqlite_connects()


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["type"] == "http://kurser.test/problems/service-unavailable"
    assert problem["status"] == 503
    assert problem["detail"].startswith("Tjänsten kan inte nå sin databas just nu.")
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/courses", None),
        ("GET", "/api/courses/asi-grund-2022", None),
        ("POST", "/api/courses/asi-grund-2022/registrations", registrant(1)),
        ("GET", "/api/registrations/abcdefghijklmnop", None),
        ("DELETE", "/api/registrations/abcdefghijklmnop", None),
        ("GET", "/api/employers", None),
        ("GET", "/api/health", None),
    ],
)
async def test_any_request_while_the_database_is_unreachable_gets_503(
    down: Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = await down.request(method, path, json=body)

    assert_unavailable(response)


async def test_an_outage_is_one_warning_line_without_a_trace(down: Client) -> None:
    with captured_logs("json") as out:
        response = await down.get("/api/courses")

    lines = [line for line in json_lines(out) if line["logger"] != "httpx"]  # the test client's
    assert [line["level"] for line in lines] == ["WARNING"]
    assert lines[0]["message"].startswith("database unavailable on GET /api/courses: ")
    assert "exception" not in lines[0]
    assert lines[0]["request_id"] == response.headers["x-request-id"]


async def test_metrics_still_answer_and_say_the_database_is_down(down: Client) -> None:
    response = await down.get("/metrics")

    assert response.status_code == 200
    assert "courses_database_up 0.0" in response.text
    assert "courses_outbox_pending" not in response.text


async def test_the_service_recovers_by_itself_when_the_database_file_appears(
    tmp_path: Path, clock: FixedClock, sqlite_template: Path
) -> None:
    url = unopenable_sqlite_url(tmp_path)
    path = Path(url.removeprefix("sqlite:///"))
    settings = Settings(database_url=url, base_url="http://kurser.test")
    app = create_app(settings, clock=clock, migrate=False)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        before = await client.get("/api/health")
        settle_failed_sqlite_connects()
        path.parent.mkdir()
        shutil.copy(sqlite_template, path)
        after = await client.get("/api/health")

    assert_unavailable(before)
    assert after.status_code == 200
    assert after.json()["database"] == "ok"


async def test_a_bug_is_still_a_500_not_an_outage(
    api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object, **__: object) -> None:
        raise FileNotFoundError("templates/pages/kurser.html")

    monkeypatch.setattr(listing, "course_page", broken)

    response = await api.get("/api/courses")

    assert response.status_code == 500
    assert response.json()["type"].endswith("/internal-error")
    assert "retry-after" not in response.headers


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (ConnectionResetError(), True),
        (TimeoutError(), True),
        (socket.gaierror(-2, "Name or service not known"), True),
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), True),
        (asyncpg.exceptions.TooManyConnectionsError("too many clients"), True),
        (sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"), True),
        (sa_exc.OperationalError("x", {}, Exception(), connection_invalidated=True), True),
        (sa_exc.IntegrityError("x", {}, Exception()), False),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), False),
        (FileNotFoundError(2, "No such file"), False),
        (ValueError("bug"), False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(error: BaseException, outage: bool) -> None:
    assert database_unavailable(_raised(error)) is outage
