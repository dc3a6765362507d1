"""A number too large for any id column (PostgreSQL `integer`, SQLite 64 bits) is answered as
an id that names nothing, never a 500: a path id is the same 404 as a missing row, a query or
body id a Swedish 400 (courses.domain.ids)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.domain.ids import MAX_ID
from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.api.support import problem_type

Client = AsyncTestClient[Any]
# Past PostgreSQL's int4, past SQLite's int8, and past both by far.
TOO_LARGE = [MAX_ID + 1, 2**63, 10**30]


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/admin/registrations/{}"),
        ("POST", "/api/admin/registrations/{}/promote"),
        ("POST", "/api/admin/mail/{}/retry"),
    ],
)
async def test_a_path_id_past_the_column_is_the_404_of_a_missing_one(
    api: Client, seeded: ServiceContext, method: str, path: str, number: int
) -> None:
    headers = await bearer(seeded)

    past = await api.request(method, path.format(number), headers=headers)
    missing = await api.request(method, path.format(MAX_ID), headers=headers)

    assert past.status_code == missing.status_code == 404, past.text
    assert problem_type(past) == problem_type(missing)
    assert str(number) in past.json()["detail"]


async def test_a_move_past_the_column_is_a_404(api: Client, seeded: ServiceContext) -> None:
    answer = await api.post(
        f"/api/admin/registrations/{2**63}/move",
        json={"format": "digital"},
        headers=await bearer(seeded),
    )

    assert answer.status_code == 404, answer.text


@pytest.mark.parametrize("number", TOO_LARGE)
@pytest.mark.parametrize("path", ["/api/admin/audit", "/api/admin/mail"])
async def test_before_past_the_column_is_a_swedish_400(
    api: Client, seeded: ServiceContext, path: str, number: int
) -> None:
    headers = await bearer(seeded)

    past = await api.get(path, params={"before": number}, headers=headers)
    last = await api.get(path, params={"before": MAX_ID}, headers=headers)

    assert past.status_code == 400, past.text
    assert problem_type(past) == "validation-error"
    assert [e["field"] for e in past.json()["errors"]] == ["before"]
    assert "högst 2147483647" in past.json()["errors"][0]["message"]
    assert last.status_code == 200


async def test_the_bound_is_in_the_openapi(api: Client) -> None:
    spec = (await api.get("/api/schema/openapi.json")).json()
    mark = spec["components"]["schemas"]["MarkIn"]["properties"]["registration"]
    retry = spec["paths"]["/api/admin/mail/{mail_id}/retry"]["post"]["parameters"]
    before = spec["paths"]["/api/admin/audit"]["get"]["parameters"]

    assert mark["maximum"] == MAX_ID
    assert [p["schema"]["maximum"] for p in retry if p["name"] == "mail_id"] == [MAX_ID]
    assert [p["schema"]["maximum"] for p in before if p["name"] == "before"] == [MAX_ID]
