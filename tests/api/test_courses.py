"""GET /api/courses, /api/courses/{slug}, /api/employers and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.clock import FixedClock
from tests.conftest import local

Client = AsyncTestClient[Any]


async def test_courses_are_listed_in_date_order_with_their_state(api: Client) -> None:
    response = await api.get("/api/courses")

    assert response.status_code == 200
    courses = response.json()
    assert [c["slug"] for c in courses] == [
        "lvm-forelasning-2022",
        "aterfallsprevention-2022",
        "asi-metodstod-2022",
        "asi-grund-2022",
        "hap-2022",
    ]
    assert {c["state"] for c in courses} == {"open"}


async def test_a_course_shows_formats_sessions_seats_and_deadline(api: Client) -> None:
    course = (await api.get("/api/courses/aterfallsprevention-2022")).json()

    assert course["title"] == "Återfallsprevention"
    assert course["leaders"] == [{"name": "Sophie Andersson", "email": None}]
    assert [(f["key"], f["kind"], f["place"]) for f in course["formats"]] == [
        ("ljungby", "on_site", "Ljungby"),
        ("digital", "digital", None),
    ]
    assert course["sessions"][0] == {
        "date": "2022-04-05",
        "start": "09:00:00",
        "end": "16:00:00",
        "all_day": False,
        "place": None,
        "starts_at": "2022-04-05T09:00:00+02:00",
        "ends_at": "2022-04-05T16:00:00+02:00",
    }
    assert course["deadline"] == "2022-03-20"
    assert course["registration_closes_at"] == "2022-03-21T00:00:00+01:00"
    assert (course["seats"], course["seats_left"]) == (None, None)


async def test_capped_course_counts_seats_left(api: Client) -> None:
    await api.post(
        "/api/courses/asi-grund-2022/registrations",
        json={
            "name": "Anna",
            "email": "anna@vaxjo.se",
            "employer": "vaxjo",
            "workplace": "Socialtjänsten",
            "works_in_field": True,
        },
    )

    course = (await api.get("/api/courses/asi-grund-2022")).json()

    assert (course["seats"], course["seats_left"]) == (4, 3)
    assert all(s["all_day"] for s in course["sessions"])
    assert [s["date"] for s in course["sessions"]][-1] == "2023-05-04"


async def test_state_follows_the_clock(api: Client, clock: FixedClock) -> None:
    clock.set(local(2022, 3, 21, 0, 0))

    courses = {c["slug"]: c["state"] for c in (await api.get("/api/courses")).json()}

    assert courses["lvm-forelasning-2022"] == "closed"
    assert courses["asi-grund-2022"] == "open"


async def test_unknown_course_is_a_swedish_problem(api: Client) -> None:
    response = await api.get("/api/courses/finns-inte")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/course-not-found")
    assert problem["status"] == 404
    assert "finns ingen kurs" in problem["detail"]


async def test_public_listing_never_shows_a_meeting_link(api: Client) -> None:
    text = (await api.get("/api/courses")).text

    assert "meeting_url" not in text


async def test_employers_are_the_county_municipalities_and_the_region(api: Client) -> None:
    employers = (await api.get("/api/employers")).json()

    assert len(employers) == 9
    vaxjo = next(e for e in employers if e["key"] == "vaxjo")
    assert vaxjo == {
        "key": "vaxjo",
        "name": "Växjö kommun",
        "kind": "municipality",
        "domains": ["vaxjo.se"],
    }


async def test_openapi_document_describes_the_contract(api: Client) -> None:
    response = await api.get("/api/schema/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/courses/{slug}/registrations" in paths
    assert "/api/registrations/{token}" in paths
    assert "/api/employers" in paths


async def test_unknown_address_is_a_problem_not_a_page(api: Client) -> None:
    response = await api.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")
