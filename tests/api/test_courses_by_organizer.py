"""`GET /api/courses?organizer=KEY` with two organizers, and registering through the API stays
refused for the other organizer's employers. On both databases."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from tests.conftest import registrant
from tests.services.admin_support import (
    OTHER_COURSE,
    OTHER_EMPLOYER,
    OTHER_ORGANIZER_FILE,
    SEED_ORGANIZER,
)

Client = AsyncTestClient[Any]


@pytest.fixture
async def two(api: Client, seeded: ServiceContext) -> Client:
    await import_schedule(seeded, parse_schedule(OTHER_ORGANIZER_FILE, source="b.toml"))
    return api


def slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [course["slug"] for course in response.json()]


async def test_the_course_list_filters_by_organizer(two: Client) -> None:
    every = slugs(await two.get("/api/courses"))
    b = slugs(await two.get("/api/courses", params={"organizer": "b"}))
    seed = slugs(await two.get("/api/courses", params={"organizer": SEED_ORGANIZER}))

    assert b == [OTHER_COURSE]
    assert OTHER_COURSE not in seed
    assert "asi-grund-2022" in seed
    assert sorted(every) == sorted(b + seed)


async def test_an_unknown_organizer_is_a_swedish_404_problem(two: Client) -> None:
    response = await two.get("/api/courses", params={"organizer": "finns-inte"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "Det finns ingen arrangör med nyckeln 'finns-inte'."


async def test_an_empty_organizer_is_a_400_problem(two: Client) -> None:
    response = await two.get("/api/courses?organizer=")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_another_organizers_employers_cannot_register_through_the_api(
    two: Client,
) -> None:
    # A Växjö employee (the seeded organizer's employer) for B's course, and the other way.
    to_b = await two.post(
        f"/api/courses/{OTHER_COURSE}/registrations",
        json=registrant(1, format="digital"),
    )
    b_to_seed = await two.post(
        "/api/courses/lvm-forelasning-2022/registrations",
        json=registrant(2, email="anna@b-kommun.se", employer=OTHER_EMPLOYER, format="digital"),
    )
    allowed = await two.post(
        f"/api/courses/{OTHER_COURSE}/registrations",
        json=registrant(3, email="bo@b-kommun.se", employer=OTHER_EMPLOYER, format="digital"),
    )

    for refused in (to_b, b_to_seed):
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/not-eligible")
    assert allowed.status_code == 201, allowed.text
