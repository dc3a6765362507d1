"""A course's waitlist offers over the API: `offer_hours` and `offer_until_hours` are taken by
`POST /api/admin/courses`, shown on the course, refused where they cannot work, and described
in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.api.support import field_errors, problem_type
from tests.api.test_admin_course_editor_api import ENTRY

Client = AsyncTestClient[Any]

OFFERING = {**ENTRY, "status": "published", "offer_hours": 48, "offer_until_hours": 12}


async def test_a_course_created_with_offer_hours_shows_them(
    api: Client, seeded: ServiceContext
) -> None:
    answer = await api.post("/api/admin/courses", json=OFFERING, headers=await bearer(seeded))

    assert answer.status_code == 201, answer.text
    public = (await api.get(f"/api/courses/{ENTRY['slug']}")).json()
    assert (public["offer_hours"], public["offer_until_hours"]) == (48, 12)


async def test_a_course_without_offers_says_it_moves_people_up_at_once(
    api: Client, seeded: ServiceContext
) -> None:
    plain = {**ENTRY, "status": "published"}
    await api.post("/api/admin/courses", json=plain, headers=await bearer(seeded))

    public = (await api.get(f"/api/courses/{ENTRY['slug']}")).json()

    assert (public["offer_hours"], public["offer_until_hours"]) == (0, 24)


async def test_a_last_window_without_offer_hours_is_refused_at_its_field(
    api: Client, seeded: ServiceContext
) -> None:
    pointless = {**ENTRY, "offer_until_hours": 48}

    answer = await api.post("/api/admin/courses", json=pointless, headers=await bearer(seeded))

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert list(field_errors(answer)) == ["offer_until_hours"]


async def test_hours_beyond_thirty_days_are_refused(api: Client, seeded: ServiceContext) -> None:
    long = {**ENTRY, "offer_hours": 721, "offer_until_hours": -1}

    answer = await api.post("/api/admin/courses", json=long, headers=await bearer(seeded))

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert set(field_errors(answer)) == {"offer_hours", "offer_until_hours"}


async def test_the_offer_fields_are_described(api: Client) -> None:
    document = (await api.get("/api/schema/openapi.json")).json()
    spec = document["components"]["schemas"]["CourseSpec"]["properties"]

    assert "reservlistan" in spec["offer_hours"]["description"]
    assert "`offer_hours` över 0" in spec["offer_until_hours"]["description"]
    assert spec["offer_hours"]["maximum"] == 720
