"""The schedule file over HTTP (GET then POST /api/admin/schedule), and retired employers."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Role
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.api.support import problem_type
from tests.conftest import ASI, registrant

Client = AsyncTestClient[Any]


async def test_the_exported_schedule_imports_back_unchanged(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)

    exported = await api.get("/api/admin/schedule", headers=headers)
    again = await api.post(
        "/api/admin/schedule",
        content=exported.content,
        headers={**headers, "Content-Type": "application/toml"},
    )

    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("application/toml")
    assert 'filename="schema-kronoberg-beroende.toml"' in exported.headers["content-disposition"]
    assert parse_schedule(exported.content).organizer is not None
    assert again.status_code == 200, again.text
    assert {item["action"] for item in again.json()["items"]} == {"unchanged"}


async def test_a_leader_gets_no_schedule_file(api: Client, seeded: ServiceContext) -> None:
    refused = await api.get("/api/admin/schedule", headers=await bearer(seeded, role=Role.LEADER))

    assert (refused.status_code, problem_type(refused)) == (403, "forbidden")


async def test_a_retired_employer_takes_no_registrations_until_brought_back(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)

    retired = await api.patch("/api/admin/employers/vaxjo", json={"retired": True}, headers=headers)
    listed = [e["key"] for e in (await api.get("/api/employers")).json()]
    refused = await api.post(f"/api/courses/{ASI}/registrations", json=registrant(1))
    back = await api.patch("/api/admin/employers/vaxjo", json={"retired": False}, headers=headers)
    accepted = await api.post(f"/api/courses/{ASI}/registrations", json=registrant(1))

    assert retired.status_code == 200, retired.text
    assert retired.json()["retired"] is True
    assert "vaxjo" not in listed
    assert (refused.status_code, problem_type(refused)) == (422, "not-eligible")
    assert "tar inte längre emot anmälningar" in refused.json()["detail"]
    assert back.json()["retired"] is False
    assert accepted.status_code == 201, accepted.text
    exported = await api.get("/api/admin/schedule", headers=headers)
    assert "retired" not in exported.text
