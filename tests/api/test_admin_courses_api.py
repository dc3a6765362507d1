"""The admins' API for schedules, courses, sessions and registrations."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.storage.tables import course_table
from tests.api.admin_support import bearer
from tests.api.support import field_errors, problem_type
from tests.conftest import ASI, fill_asi
from tests.services.admin_support import OTHER_COURSE, actions, add_other_organizer

Client = AsyncTestClient[Any]

NEW_COURSE = """
[[course]]
slug = "ny-kurs-2022"
title = "Ny kurs"
deadline = 2022-05-01
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""
# The same file with a second course that breaks a rule: the deadline is after its session.
ONE_BAD_COURSE = (
    NEW_COURSE
    + """
[[course]]
slug = "trasig-2022"
title = "Trasig"
deadline = 2022-06-01
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""
)
TOML = {"content-type": "application/toml"}


async def _course_count(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(course_table))).scalar())


async def test_every_admin_route_needs_a_token(api: Client) -> None:
    answers = [
        await api.post("/api/admin/schedule", content=NEW_COURSE, headers=TOML),
        await api.patch(f"/api/admin/courses/{ASI}", json={"seats": 5}),
        await api.delete(f"/api/admin/courses/{ASI}/sessions/1"),
        await api.delete("/api/admin/registrations/1"),
        await api.get("/api/admin/stats"),
    ]

    assert {(r.status_code, problem_type(r)) for r in answers} == {(401, "unauthorized")}


async def test_a_dry_run_reports_the_diff_and_writes_nothing(
    api: Client, seeded: ServiceContext
) -> None:
    headers = {**await bearer(seeded), **TOML}
    before = await _course_count(seeded)

    answer = await api.post("/api/admin/schedule?dry_run=true", content=NEW_COURSE, headers=headers)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is True
    assert body["items"] == [
        {"kind": "course", "key": "ny-kurs-2022", "action": "created", "changes": []}
    ]
    assert await _course_count(seeded) == before


async def test_an_import_writes_the_courses_and_an_audit_entry(
    api: Client, seeded: ServiceContext
) -> None:
    headers = {**await bearer(seeded), "content-type": "text/plain; charset=utf-8"}
    before = await _course_count(seeded)

    answer = await api.post("/api/admin/schedule", content=NEW_COURSE, headers=headers)

    assert answer.status_code == 200, answer.text
    assert await _course_count(seeded) == before + 1
    assert (await actions(seeded))[0].action == "schedule.import"


async def test_an_import_with_one_bad_course_writes_nothing_and_names_the_place(
    api: Client, seeded: ServiceContext
) -> None:
    headers = {**await bearer(seeded), **TOML}
    before = await _course_count(seeded)

    answer = await api.post("/api/admin/schedule", content=ONE_BAD_COURSE, headers=headers)

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert list(field_errors(answer)) == ["course[2] (trasig-2022).deadline"]
    assert await _course_count(seeded) == before


@pytest.mark.parametrize("depth", [400, 800, 50_000])
async def test_a_schedule_nested_too_deep_is_a_swedish_400(
    api: Client, seeded: ServiceContext, depth: int
) -> None:
    headers = {**await bearer(seeded), **TOML}
    deep = "x = " + "[" * depth + "]" * depth

    answer = await api.post("/api/admin/schedule", content=deep, headers=headers)

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error"), answer.text
    assert "fler än 16 nivåer" in answer.json()["errors"][0]["message"]


async def test_a_json_body_for_the_schedule_is_refused(api: Client, seeded: ServiceContext) -> None:
    answer = await api.post(
        "/api/admin/schedule", json={"course": []}, headers=await bearer(seeded)
    )

    assert (answer.status_code, problem_type(answer)) == (415, "unsupported-media-type")


async def test_a_cap_under_the_seats_held_is_refused_with_the_reason(
    api: Client, seeded: ServiceContext
) -> None:
    await fill_asi(seeded, waiting=0)
    headers = await bearer(seeded)

    changed = await api.patch(f"/api/admin/courses/{ASI}", json={"seats": 2}, headers=headers)

    assert changed.status_code == 400, changed.text
    problem = changed.json()
    assert problem["type"].endswith("validation-error")
    assert problem["errors"] == [
        {
            "field": "seats",
            "message": "4 personer har redan plats på kursen, så antalet platser kan inte "
            "bli 2. Välj minst 4, eller avanmäl någon först.",
        }
    ]
    course = (await api.get(f"/api/courses/{ASI}")).json()
    assert (course["seats_left"], course["state"]) == (0, "waitlist")


async def test_an_invalid_change_lists_its_fields(api: Client, seeded: ServiceContext) -> None:
    answer = await api.patch(
        f"/api/admin/courses/{ASI}",
        json={"seats": 0, "title": "", "colour": "red"},
        headers=await bearer(seeded),
    )

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert set(field_errors(answer)) == {"seats", "title", "colour"}


async def test_a_session_is_moved_and_another_cancelled(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)

    moved = await api.patch(
        f"/api/admin/courses/{ASI}/sessions/2",
        json={"date": "2022-09-16", "start": "09:00:00", "end": "16:00:00"},
        headers=headers,
    )
    cancelled = await api.delete(f"/api/admin/courses/{ASI}/sessions/3", headers=headers)

    assert moved.status_code == 200, moved.text
    assert [s["date"] for s in cancelled.json()["course"]["sessions"]] == [
        "2022-09-14",
        "2022-09-16",
        "2023-05-04",
    ]
    assert [e.action for e in (await actions(seeded))[:2]] == ["session.cancel", "session.change"]


async def test_cancel_on_behalf_and_promote_by_hand(api: Client, seeded: ServiceContext) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    headers = await bearer(seeded)

    full = await api.post(f"/api/admin/registrations/{waiting.id}/promote", headers=headers)
    cancelled = await api.delete(f"/api/admin/registrations/{seated[0].id}", headers=headers)

    assert (full.status_code, problem_type(full)) == (409, "conflict")
    assert "fullbokad" in full.json()["detail"]
    assert cancelled.json() == {
        "id": seated[0].id,
        "course": ASI,
        "status": "cancelled",
        "promoted": [waiting.id],
    }


async def test_another_organizers_course_is_a_404_and_a_leader_gets_403(
    api: Client, seeded: ServiceContext
) -> None:
    await add_other_organizer(seeded)
    headers = await bearer(seeded)
    leader = await bearer(seeded, role=Role.LEADER)

    foreign = await api.patch(
        f"/api/admin/courses/{OTHER_COURSE}", json={"title": "Min"}, headers=headers
    )
    missing = await api.patch(
        "/api/admin/courses/finns-inte", json={"title": "Min"}, headers=headers
    )
    refused = await api.patch(f"/api/admin/courses/{ASI}", json={"seats": 9}, headers=leader)

    assert (foreign.status_code, problem_type(foreign)) == (404, "course-not-found")
    assert foreign.json()["detail"] == missing.json()["detail"].replace("finns-inte", OTHER_COURSE)
    assert (refused.status_code, problem_type(refused)) == (403, "forbidden")
