"""Errors in front of a person: Swedish pages for every path outside the API, never a trace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.catalogue.cache import CatalogueCache
from courses.settings import Settings
from tests.unreachable import settle_failed_sqlite_connects, unopenable_sqlite_url

Client = AsyncTestClient[Any]


async def test_a_failure_behind_a_page_is_a_friendly_page_without_details(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr(CatalogueCache, "courses", broken)

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
