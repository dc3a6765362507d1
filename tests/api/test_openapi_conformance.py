"""The app keeps to its OpenAPI document: generated requests (schemathesis, valid and invalid,
a bounded and reproducible number per operation) against a real server over the seeded
database get only documented statuses and media types, bodies of the documented schema, never
a server error, and invalid input is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import anyio
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from courses.api import create_app
from courses.clock import FixedClock
from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.concurrency.server import running_server
from tests.conftest import registrant

pytestmark = pytest.mark.slow


def negative_data_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """Invalid input is refused: a 4xx of the check's list, or 413 (documented) when the
    generated body is larger than the server takes at all."""
    if response.status_code == 413:
        return None
    result: bool | None = negative_data_rejection(ctx, response, case)
    return result


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_refused,
]
# Per operation and kind of run (valid input, valid input for things that exist, invalid
# input): about 400 requests on each database.
EXAMPLES = 25
ADMIN_EXAMPLES = 8
STAFF = 6
"""Per staff operation, token and kind of run, with real path parameters (the time it takes
is mostly the server's, on two shared cores: keep it small)."""
OPEN_COURSE = "lvm-forelasning-2022"  # uncapped, open at the fixed clock


@pytest.fixture
def base_url(seeded: ServiceContext, clock: FixedClock) -> Iterator[str]:
    # Limits off: generated requests would otherwise spend the unknown-token budget early
    # and see 429 (documented, but it would hide what the routes answer).
    unlimited = replace(
        seeded.settings,
        registration_rate=None,
        client_registration_rate=None,
        token_rate=None,
        unknown_token_rate=None,
    )
    with running_server(create_app(unlimited, clock=clock, migrate=False)) as url:
        yield url


def _real_values(base_url: str) -> dict[str, str]:
    """A slug and a token that exist, so generated requests also reach the answers of found
    things (a course, a registration, its invite), not only the 404s of random names."""
    with httpx.Client(base_url=base_url, timeout=60) as http:
        created = http.post(f"/api/courses/{OPEN_COURSE}/registrations", json=registrant(1))
    assert created.status_code == 201
    return {"slug": OPEN_COURSE, "token": created.json()["manage_url"].rsplit("/", 1)[1]}


def _documented_example(schema: Any) -> dict[str, Any]:
    body = schema.raw_schema["paths"]["/api/courses/{slug}/registrations"]["post"]
    example: dict[str, Any] = body["requestBody"]["content"]["application/json"]["schema"][
        "examples"
    ][0]
    return example


def _check(
    strategy: Any, base_url: str, examples: int, headers: dict[str, str] | None = None
) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def conforms(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    conforms()


def test_every_operation_keeps_to_the_document(base_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/openapi.json")
    real = _real_values(base_url)
    # Cancelling last, so the other routes still find the registration confirmed.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda operation: operation.method.upper() == "DELETE",
    )
    assert len(operations) >= 7

    for operation in operations:
        names = [parameter.name for parameter in operation.path_parameters]
        takes_input = bool(names or operation.body)
        # Unauthenticated, an admin route can only refuse (401, or 400/415 for its body).
        examples = ADMIN_EXAMPLES if operation.path.startswith("/api/admin") else EXAMPLES
        _check(operation.as_strategy(), base_url, examples)
        # The admin routes answer 401 to these unauthenticated requests (documented), whatever
        # their path names; their work is tested with tokens in tests/api/test_admin_*.
        found = {name: real[name] for name in names if name in real}
        if found:
            _check(operation.as_strategy(path_parameters=found), base_url, examples)
        if takes_input:
            invalid = operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
            _check(invalid, base_url, examples)


def _staff_operations(schema: Any) -> list[Any]:
    """The operations a token opens: the admins', and a course's attendees and messages.
    Deleting last, and cancelling courses (a PATCH) just before, so the others find things."""
    staff = [
        operation
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.path.startswith("/api/admin")
        or operation.path.split("/")[-1] in {"attendees", "attendees.csv", "attendees.xlsx"}
        or operation.path.split("/")[-1] in {"attendance", "messages"}
    ]
    order = {"DELETE": 2, "PATCH": 1}
    return sorted(staff, key=lambda operation: order.get(operation.method.upper(), 0))


async def test_the_staff_operations_keep_to_the_document_with_tokens(
    seeded: ServiceContext, base_url: str
) -> None:
    """With an admin's and a course leader's token the staff routes do their work (and refuse
    what is wrong) as documented; unauthenticated they could only answer 401."""
    admin = await bearer(seeded, role=Role.SUPERADMIN)
    leader = await bearer(seeded, role=Role.LEADER)
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/openapi.json")
    real = {
        "slug": OPEN_COURSE,
        "key": "vaxjo",
        "registration_id": "1",
        "position": "1",
        "mail_id": "1",
    }
    operations = _staff_operations(schema)
    assert len(operations) >= 20

    def run() -> None:
        for operation in operations:
            names = [parameter.name for parameter in operation.path_parameters]
            found = {name: real[name] for name in names if name in real}
            tokens = [admin, leader] if operation.path.startswith("/api/courses") else [admin]
            for headers in tokens:
                _check(operation.as_strategy(path_parameters=found), base_url, STAFF, headers)
                if operation.body:
                    invalid = operation.as_strategy(
                        path_parameters=found, generation_mode=GenerationMode.NEGATIVE
                    )
                    _check(invalid, base_url, STAFF, headers)

    await anyio.to_thread.run_sync(run)


def test_the_documented_example_registers_and_its_answers_keep_to_the_document(
    base_url: str,
) -> None:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/schema/openapi.json")
    register = schema["/api/courses/{slug}/registrations"]["POST"]
    example = _documented_example(schema)
    strategy = register.as_strategy(body=example, path_parameters={"slug": OPEN_COURSE})
    statuses = []

    for _ in range(2):

        @settings(max_examples=1, database=None, deadline=None)
        @given(case=strategy)
        def send(case: Any) -> None:
            statuses.append(case.call_and_validate(base_url=base_url, checks=CHECKS).status_code)

        send()

    assert statuses == [201, 409]
