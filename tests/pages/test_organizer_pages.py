"""Organizers apart where a person meets them: with two, `/` lists them and each has its own
catalogue at `/{key}/`; its course and registration pages name it and give its address; with
one, `/` stays its catalogue. Through the app, on both databases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.links import TAKEN_PATHS
from courses.schedule import parse_schedule
from courses.schedule.load import ScheduleError
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from tests.conftest import registrant
from tests.services.admin_support import OTHER_COURSE, OTHER_EMPLOYER, OTHER_ORGANIZER_FILE

Client = AsyncTestClient[Any]

SEED = "kronoberg-beroende"
SEED_NAME = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"
B_SENDER = "Arrangör B <kurser@b-kommun.se>"
B_FILE = OTHER_ORGANIZER_FILE.replace(
    'name = "Arrangör B"\n', f'name = "Arrangör B"\nmail_from = "{B_SENDER}"\n', 1
)


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="course-card__title"><a href="[^"]+">([^<]+)</a>', html)


def title(html: str) -> str:
    found = re.search(r"<title>([^<]+)</title>", html)
    assert found
    return found[1]


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


@pytest.fixture
async def two(seeded: ServiceContext, clock: FixedClock) -> ServiceContext:
    await import_schedule(seeded, parse_schedule(B_FILE, source="b.toml"))
    return seeded


@pytest.fixture
async def client2(two: ServiceContext, clock: FixedClock) -> Any:
    app = create_app(two.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def test_with_two_organizers_the_front_page_lists_them(client2: Client) -> None:
    html = (await client2.get("/")).text

    organizers = re.findall(r'<h2 class="course-card__title"><a href="([^"]+)">([^<]+)</a>', html)
    assert organizers == [("/b/", "Arrangör B"), (f"/{SEED}/", SEED_NAME)]
    assert "1 kommande kurs<" in html  # B's course, in May
    assert "5 kommande kurser" in html
    assert titles(html) == []
    assert title(html).startswith("Arrangörer – ")


async def test_each_organizer_has_its_own_catalogue_that_names_it(client2: Client) -> None:
    b = await client2.get("/b/")
    seed = await client2.get(f"/{SEED}")

    assert b.status_code == 200
    assert titles(b.text) == ["B:s kurs"]
    assert "B:s kurs" not in seed.text
    assert "ASI grundutbildning" in titles(seed.text)
    assert title(b.text).startswith("Kurser – Arrangör B – ")
    assert "<h1>Utbildningar hos Arrangör B</h1>" in b.text
    assert "mailto:kurser@b-kommun.se" in footer(b.text)
    assert 'href="/tillganglighet?arrangor=b"' in footer(b.text)
    assert 'class="site-header__organizer"><a href="/b/">Arrangör B</a>' in b.text
    # The filters stay within the organizer's catalogue.
    assert 'action="/b/"' in b.text
    past = await client2.get("/b/?visa=tidigare")
    assert titles(past.text) == []
    assert 'href="/b/">Visa kommande kurser (1)' in past.text


async def test_an_unknown_organizer_is_the_normal_404_page(client2: Client) -> None:
    response = await client2.get("/finns-inte/")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Sidan finns inte" in response.text


async def test_the_service_own_paths_win_over_organizer_keys(client2: Client) -> None:
    assert (await client2.get("/tillganglighet")).status_code == 200
    assert (await client2.get("/api/health")).status_code == 200
    assert (await client2.get("/kurser/asi-grund-2022")).status_code == 200
    signed_out = await client2.get("/kursledare", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/logga-in")


async def test_a_course_page_and_its_registration_page_name_the_organizer(
    client2: Client, two: ServiceContext
) -> None:
    course = await client2.get(f"/kurser/{OTHER_COURSE}")
    seed_course = await client2.get("/kurser/asi-grund-2022")
    answer = await client2.post(
        f"/api/courses/{OTHER_COURSE}/registrations",
        json=registrant(1, email="anna@b-kommun.se", employer=OTHER_EMPLOYER, format="digital"),
    )
    registration = await client2.get(answer.json()["manage_url"].removeprefix("http://kurser.test"))

    assert title(course.text).startswith("B:s kurs – Arrangör B – ")
    assert '<p class="back"><a href="/b/">Alla kurser</a></p>' in course.text
    assert "mailto:kurser@b-kommun.se" in footer(course.text)
    assert title(seed_course.text).startswith(f"ASI grundutbildning – {SEED_NAME} – ")
    assert "mailto:kurser@b-kommun.se" not in seed_course.text
    assert answer.status_code == 201, answer.text
    assert registration.status_code == 200
    assert "– Arrangör B – " in title(registration.text)
    assert "mailto:kurser@b-kommun.se" in footer(registration.text)


async def test_with_one_organizer_the_front_page_is_its_catalogue(client: Client) -> None:
    front = await client.get("/")
    by_key = await client.get(f"/{SEED}/?visa=tidigare", follow_redirects=False)

    assert "ASI grundutbildning" in titles(front.text)
    assert "site-header__organizer" not in front.text
    assert title(front.text) == "Kurser – Utbildningar inom missbruks- och beroendevård"
    assert 'href="/tillganglighet"' in footer(front.text)
    assert by_key.status_code == 302
    assert by_key.headers["location"] == "/?visa=tidigare"
    assert (await client.get("/b/")).status_code == 404


async def test_the_accessibility_statement_names_the_organizer_and_where_to_complain(
    client2: Client,
) -> None:
    b = (await client2.get("/tillganglighet?arrangor=b")).text
    service = (await client2.get("/tillganglighet")).text

    assert "Arrangör B står bakom den här webbplatsen" in b
    assert 'Skriv till <a href="mailto:kurser@b-kommun.se">' in b
    for check in ("WCAG 2.1", "axe-core", "tangentbordet", "360 pixlar"):
        assert check in b
    assert "Myndigheten för digital förvaltning (Digg)" in b
    assert ">www.digg.se/tdosanmalan</a>" in b
    assert "granskades senast den 7 december 2026" in b
    assert "Arrangörerna av utbildningarna står bakom" in service
    assert "Kända brister" in service


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_every_top_level_path_of_the_service_is_refused_as_an_organizer_key(
    client: Client, seeded: ServiceContext
) -> None:
    app = client.app
    first = {r.path.split("/")[1] for r in app.routes if not r.path.startswith("/{")}
    assert first - {""} <= TAKEN_PATHS
    for key in ("admin", "tillganglighet", "kurser"):
        text = OTHER_ORGANIZER_FILE.replace('key = "b"', f'key = "{key}"', 1)
        with pytest.raises(ScheduleError) as refused:
            await import_schedule(seeded, parse_schedule(text, source="b.toml"))
        assert [p.place for p in refused.value.problems] == ["organizer.key"]
        assert f"/{key}/" in refused.value.problems[0].message
