"""`POST /api/admin/courses`: a course from the JSON form of one schedule entry."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.api.support import field_errors, problem_type
from tests.conftest import ASI
from tests.services.admin_support import actions

Client = AsyncTestClient[Any]

ENTRY: dict[str, Any] = {
    "slug": "asi-fordjupning-2022",
    "title": "ASI fördjupning",
    "leaders": [{"name": "Anna Hamle", "email": "anna.hamle@kronoberg.se"}],
    "deadline": "2022-09-01",
    "seats": 10,
    "status": "draft",
    "format": [{"key": "digital", "kind": "digital"}],
    "session": [{"date": "2022-09-20", "start": "09:00:00", "end": "12:00:00"}],
}


async def test_an_admin_creates_a_draft_course_from_its_entry(
    api: Client, seeded: ServiceContext
) -> None:
    answer = await api.post("/api/admin/courses", json=ENTRY, headers=await bearer(seeded))

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["slug"], body["created"], body["dry_run"]) == (ENTRY["slug"], True, False)
    assert body["course"]["title"] == "ASI fördjupning"
    assert (await api.get(f"/api/courses/{ENTRY['slug']}")).status_code == 404  # a draft
    entry = (await actions(seeded))[0]
    assert (entry.course_slug, entry.actor) == (ENTRY["slug"], "token 1 (admin kronoberg-beroende)")


async def test_a_dry_run_answers_what_saving_would_do_and_saves_nothing(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)

    answer = await api.post("/api/admin/courses?dry_run=true", json=ENTRY, headers=headers)

    assert answer.status_code == 200, answer.text
    assert answer.json()["dry_run"] is True
    assert answer.json()["course"] is None
    again = await api.post("/api/admin/courses", json=ENTRY, headers=headers)
    assert again.status_code == 201, again.text


async def test_a_rule_across_fields_is_refused_at_its_field(
    api: Client, seeded: ServiceContext
) -> None:
    late = {**ENTRY, "deadline": "2022-09-30"}

    answer = await api.post("/api/admin/courses", json=late, headers=await bearer(seeded))

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert list(field_errors(answer)) == ["deadline"]


async def test_a_taken_slug_is_refused_at_the_slug(api: Client, seeded: ServiceContext) -> None:
    taken = {**ENTRY, "slug": ASI}

    answer = await api.post("/api/admin/courses", json=taken, headers=await bearer(seeded))

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert list(field_errors(answer)) == ["slug"]


async def test_a_malformed_entry_names_its_fields(api: Client, seeded: ServiceContext) -> None:
    bad = {**ENTRY, "title": "", "seats": "tio", "colour": "blå"}

    answer = await api.post("/api/admin/courses", json=bad, headers=await bearer(seeded))

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert set(field_errors(answer)) == {"title", "seats", "colour"}


async def test_a_leader_and_an_anonymous_caller_are_refused(
    api: Client, seeded: ServiceContext
) -> None:
    leader = await api.post(
        "/api/admin/courses", json=ENTRY, headers=await bearer(seeded, role=Role.LEADER)
    )
    nobody = await api.post("/api/admin/courses", json=ENTRY)

    assert (leader.status_code, problem_type(leader)) == (403, "forbidden")
    assert (nobody.status_code, problem_type(nobody)) == (401, "unauthorized")
