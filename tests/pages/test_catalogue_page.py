"""`/` through the test client: the catalogue's HTML, its halves and its GET filters."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from courses.api.pages.templating import CONTENT_SECURITY_POLICY
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.conftest import fill_asi, local

Client = AsyncTestClient[Any]


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="course-card__title"><a href="[^"]+">([^<]+)</a>', html)


async def test_the_catalogue_is_swedish_html_under_a_strict_csp_without_inline_code(
    client: Client,
) -> None:
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert '<html lang="sv">' in response.text
    assert "<script" not in response.text
    assert " style=" not in response.text
    assert "<style" not in response.text


async def test_upcoming_courses_come_first_and_past_ones_are_behind_a_link(
    client: Client, clock: FixedClock
) -> None:
    clock.set(local(2022, 6, 1, 10, 0))

    upcoming = await client.get("/")
    past = await client.get("/?visa=tidigare")

    assert titles(upcoming.text) == ["ASI grundutbildning", "HAP"]
    assert "Visa tidigare kurser (3)" in upcoming.text
    assert titles(past.text) == [
        "ASI metodstöd med samskattning",
        "Återfallsprevention",
        "LVM föreläsning",
    ]
    assert "Visa kommande kurser (2)" in past.text


async def test_each_course_shows_its_state(
    client: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    await fill_asi(seeded, waiting=0)
    clock.set(local(2022, 3, 21, 8, 0))  # LVM and Återfallsprevention closed on 20 March

    html = (await client.get("/")).text

    cards = dict(
        re.findall(
            r'<a href="/kurser/([^"]+)">.*?<strong class="tag tag--\w+">([^<]+)<', html, re.S
        )
    )
    assert cards == {
        "lvm-forelasning-2022": "Anmälan stängd",
        "aterfallsprevention-2022": "Anmälan stängd",
        "asi-metodstod-2022": "Öppen för anmälan",
        "asi-grund-2022": "Fullbokad – reservlista",
        "hap-2022": "Öppen för anmälan",
    }


async def test_month_and_format_filters_are_plain_get_parameters(client: Client) -> None:
    november_on_site = await client.get("/?manad=2022-11&format=pa-plats")
    november_digital = await client.get("/?manad=2022-11&format=digitalt")

    assert titles(november_on_site.text) == ["ASI grundutbildning", "HAP"]
    assert titles(november_digital.text) == ["HAP"]
    assert '<option value="2022-11" selected>november 2022</option>' in november_digital.text
    assert "1 av 5 kurser visas." in november_digital.text


async def test_filter_values_that_cannot_be_understood_are_ignored(client: Client) -> None:
    response = await client.get("/?manad=2022-13&format=till-fots")

    assert response.status_code == 200
    assert len(titles(response.text)) == 5


async def test_the_stylesheet_is_served_by_the_app_and_may_be_cached(client: Client) -> None:
    page = (await client.get("/")).text
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', page)
    assert href is not None
    assert href[1].startswith("/static/courses.css?v=")

    response = await client.get(href[1])

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "max-age=31536000" in response.headers["cache-control"]
