"""The app keeps to its OpenAPI document: generated requests (schemathesis, valid and invalid,
a bounded and reproducible number per operation) against a real server over the seeded
database get only documented statuses and media types, bodies of the documented schema, never
a server error, and invalid input is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

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
from courses.services.context import ServiceContext
from tests.concurrency.server import running_server
from tests.conftest import registrant

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Per operation and kind of run (valid input, valid input for things that exist, invalid
# input): about 400 requests on each database.
EXAMPLES = 25
ADMIN_EXAMPLES = 8
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


def _check(strategy: Any, base_url: str, examples: int) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def conforms(case: Any) -> None:
        case.call_and_validate(base_url=base_url, checks=CHECKS)

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
