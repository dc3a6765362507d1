"""The OpenAPI document tells what the server does: the answers a route gives (413/415 where
it takes a body, problem+json for every error), the constraints on each item of a list, and
the rules between fields the server checks; and the server holds to the constraints it shows
(a domain's labels are DNS labels, with nothing after the last one)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api.http.problems import PROBLEM_MEDIA_TYPE
from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.api.support import problem_type

Client = AsyncTestClient[Any]


async def _document(api: Client) -> dict[str, Any]:
    answer = await api.get("/api/schema/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


async def test_every_error_answer_is_documented_as_problem_json(api: Client) -> None:
    document = await _document(api)

    wrong = [
        f"{method.upper()} {path} {status}: {list(answer.get('content', {}))}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation.get("responses", {}).items()
        if status.startswith(("4", "5")) and list(answer.get("content", {})) != [PROBLEM_MEDIA_TYPE]
    ]
    assert wrong == []


async def test_a_route_that_takes_a_body_documents_413_and_415(api: Client) -> None:
    document = await _document(api)

    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and not {"413", "415"} <= set(operation["responses"])
    ]
    assert missing == []


async def test_the_csv_list_is_documented_with_its_charset_once(api: Client) -> None:
    document = await _document(api)

    answer = document["paths"]["/api/courses/{slug}/attendees.csv"]["get"]["responses"]["200"]
    assert list(answer["content"]) == ["text/csv"]


async def test_each_domain_of_an_employer_is_constrained_as_the_server_checks_it(
    api: Client,
) -> None:
    schemas = (await _document(api))["components"]["schemas"]

    items = schemas["EmployerIn"]["properties"]["domains"]["items"]
    assert items["maxLength"] == 253
    pattern = re.compile(items["pattern"])
    assert pattern.search("skola.vaxjo.se")
    assert not pattern.search("a" * 64 + ".se")
    assert not pattern.search("vaxjo.se\n")
    [patch] = schemas["EmployerPatch"]["properties"]["domains"]["oneOf"]
    assert patch["items"]["pattern"] == items["pattern"]


async def test_the_rules_between_fields_are_described(api: Client) -> None:
    schemas = (await _document(api))["components"]["schemas"]

    assert "Efter `start`" in schemas["SessionPatch"]["properties"]["end"]["description"]
    assert "Efter `start`" in schemas["SessionSpec"]["properties"]["end"]["description"]
    assert "första kursdagen" in schemas["CourseSpec"]["properties"]["deadline"]["description"]


@pytest.mark.parametrize("domain", ["a" * 64 + ".se", "ny.se\n", "-ny.se", "ny"])
async def test_a_domain_that_is_no_domain_is_refused(
    api: Client, seeded: ServiceContext, domain: str
) -> None:
    employer = {"key": "ny", "name": "Ny kommun", "kind": "municipality", "domains": [domain]}

    answer = await api.post("/api/admin/employers", json=employer, headers=await bearer(seeded))

    assert (answer.status_code, problem_type(answer)) == (400, "validation-error"), answer.text
    [error] = answer.json()["errors"]
    assert error["field"].startswith("domains")
    assert error["message"].startswith("Ange en domän som vaxjo.se")
