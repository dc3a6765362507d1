"""Errors in front of a person: Swedish pages for every path outside the API, never a trace."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.catalogue.cache import CatalogueCache
from courses.services.context import ServiceContext
from courses.settings import Settings
from tests.pages.staff import ADMIN, add_staff, sign_in
from tests.unreachable import settle_failed_sqlite_connects, unopenable_sqlite_url

Client = AsyncTestClient[Any]


async def test_a_failure_behind_a_page_is_a_friendly_page_without_details(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(CatalogueCache, "with_organizers", broken)

    response = await client.get("/")

    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.text
    assert "caught fire" not in response.text
    assert "Traceback" not in response.text


async def test_while_the_database_is_unreachable_pages_say_so_and_when_to_retry(
    tmp_path: Path, clock: FixedClock
) -> None:
    settings = Settings(database_url=unopenable_sqlite_url(tmp_path), base_url="http://kurser.test")
    app = create_app(settings, clock=clock, migrate=False)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        answers = [
            await client.get(path) for path in ["/", "/kurser/asi-grund-2022", "/anmalan/abcdef"]
        ]
        settle_failed_sqlite_connects()

    for response in answers:
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["retry-after"] == "5"
        assert "Tjänsten är inte tillgänglig just nu" in response.text
        assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/courses.css%00.html",
        "/static/%00",
        "/static/courses.css%1B",
        "/kurser/%00",
        "/kurser/asi%00/kalender.ics",
        "/anmalan/%00",
        "/logga-in/%00",
        "/kursledare/%00",
    ],
)
async def test_a_control_character_in_a_page_path_is_a_404_page_and_no_trace(
    client: Client, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    caplog.set_level(logging.WARNING)

    response = await client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Sidan finns inte" in response.text
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_control_character_in_a_signed_in_admins_path_is_a_404_page(
    client: Client, seeded: ServiceContext
) -> None:
    await add_staff(seeded)
    await sign_in(client, seeded, ADMIN)

    answers = [
        await client.get(path)
        for path in ["/admin/kurser/%00/installa", "/admin/kurser/a%00b", "/kursledare/%00"]
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
