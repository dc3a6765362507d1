"""Malformed requests get a Swedish problem, never a 500: nesting too deep, invalid UTF-8, a
control character in a field or a path segment (PostgreSQL refuses NUL), a URL too long, a body
too large; and only strict `application/json` bodies are read."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.storage.tables import registration_table
from tests.api.support import field_errors, problem_type
from tests.concurrency.server import running_server
from tests.conftest import registrant as body

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"
JSON = {"content-type": "application/json"}
# Every route that takes something from its path, with the method it answers.
PATH_ROUTES = [
    ("GET", "/api/courses/{}"),
    ("GET", "/api/courses/{}/calendar.ics"),
    ("POST", "/api/courses/{}/registrations"),
    ("GET", "/api/registrations/{}"),
    ("DELETE", "/api/registrations/{}"),
    ("GET", "/api/registrations/{}/invite.ics"),
]
TEXT_FIELDS = ["name", "email", "employer", "workplace", "format", "phone", "message"]


async def registrations(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        return int(
            (await conn.execute(select(func.count()).select_from(registration_table))).scalar_one()
        )


async def post_raw(api: Client, raw: bytes, headers: dict[str, str] | None = None) -> Any:
    return await api.post(ASI, content=raw, headers=JSON if headers is None else headers)


def assert_validation_error(response: Any) -> None:
    assert response.status_code == 400
    assert problem_type(response) == "validation-error"
    assert response.json()["detail"]


# --- bodies that are not JSON objects ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 20_000 + b"]" * 20_000,
        b'{"name": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
        b'{"extra": ' + b'{"a":' * 10_000 + b"1" + b"}" * 10_000 + b"}",
    ],
    ids=["array", "in-a-field", "in-an-unknown-field"],
)
async def test_nesting_deeper_than_the_decoder_goes_is_a_validation_error(
    api: Client, seeded: ServiceContext, raw: bytes
) -> None:
    response = await post_raw(api, raw)

    assert_validation_error(response)
    assert "nästlat" in response.json()["detail"]
    assert await registrations(seeded) == 0


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(body()).encode().replace(b"Deltagare", b"Delt\xc3\x28gare"),
        b'{"name\xff": 1}',
        b"\xef\xbb\xbf" + json.dumps(body()).encode()[:-1] + b"\xed\xa0\x80}",
    ],
    ids=["in-a-value", "in-a-key", "a-surrogate"],
)
async def test_invalid_utf8_is_a_validation_error(api: Client, raw: bytes) -> None:
    response = await post_raw(api, raw)

    assert_validation_error(response)


@pytest.mark.parametrize("raw", [b"", b"   ", b"{", b'{"name": "A",}', b"null", b"[]", b'"x"'])
async def test_a_body_that_is_not_one_json_object_is_a_validation_error(
    api: Client, raw: bytes
) -> None:
    response = await post_raw(api, raw)

    assert_validation_error(response)


# --- control characters ---------------------------------------------------------------------


@pytest.mark.parametrize("control", ["\x00", "\x1b", "\x7f"])
async def test_a_control_character_in_any_text_field_is_refused_before_the_database(
    api: Client, seeded: ServiceContext, control: str
) -> None:
    fields = body(phone="0470-123 45", message="Hej", format="vaxjo")
    for field in TEXT_FIELDS:
        fields[field] = f"{fields[field][:3]}{control}{fields[field][3:]}"

    response = await api.post(ASI, json=fields)

    assert_validation_error(response)
    assert sorted(field_errors(response)) == sorted(TEXT_FIELDS)
    assert await registrations(seeded) == 0


async def test_a_message_keeps_its_line_breaks(api: Client) -> None:
    response = await api.post(ASI, json=body(message="Rad ett\r\nRad två\n\tindrag"))

    assert response.status_code == 201


@pytest.mark.parametrize(("method", "template"), PATH_ROUTES)
@pytest.mark.parametrize("segment", ["asi%00", "a%1Bb%7F%0A"])
async def test_a_control_character_in_a_path_segment_is_a_validation_error(
    api: Client, method: str, template: str, segment: str
) -> None:
    payload = body() if method == "POST" else None

    response = await api.request(method, template.format(segment), json=payload)

    assert_validation_error(response)
    assert list(field_errors(response)) in (["slug"], ["token"])


@pytest.mark.parametrize(("method", "template"), PATH_ROUTES)
async def test_a_path_segment_that_names_nothing_is_not_found(
    api: Client, method: str, template: str
) -> None:
    payload = body() if method == "POST" else None

    response = await api.request(method, template.format("%C3%A5%FF%20x"), json=payload)

    assert response.status_code == 404
    assert problem_type(response) == "course-not-found"


# --- sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "template"), PATH_ROUTES)
async def test_an_over_long_url_is_refused_in_swedish(
    api: Client, method: str, template: str
) -> None:
    response = await api.request(method, template.format("a" * 5000), json=None)

    assert response.status_code == 414
    assert problem_type(response) == "uri-too-long"
    assert "för lång" in response.json()["detail"]
    assert len(response.json()["instance"]) < 200


async def test_an_over_large_body_is_refused_and_the_limit_named(
    api: Client, seeded: ServiceContext
) -> None:
    raw = json.dumps(body(message="x" * 70_000)).encode()

    response = await post_raw(api, raw)

    assert response.status_code == 413
    assert problem_type(response) == "too-large"
    assert "för stort" in response.json()["detail"]
    assert "64 KiB" in response.json()["detail"]
    assert await registrations(seeded) == 0


async def test_an_over_large_body_without_a_length_is_refused_while_read(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    # Through a real server: the test client cannot send a chunked body.
    with running_server(create_app(seeded.settings, clock=clock, migrate=False)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            response = await http.post(ASI, content=chunks(), headers=JSON)

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert problem_type(response) == "too-large"


async def test_a_body_just_under_the_limit_is_read(api: Client) -> None:
    raw = json.dumps(body(message="x" * 1990)).encode().ljust(64 * 1024, b" ")

    response = await post_raw(api, raw)

    assert response.status_code == 201


# --- strict JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
        {"content-type": "application/json; charset=latin-1"},
        {"content-type": "application/jsonx"},
        {},
    ],
    ids=["text", "form", "multipart", "latin-1", "lookalike", "none"],
)
async def test_a_body_that_is_not_declared_json_is_refused_and_nothing_registered(
    api: Client, seeded: ServiceContext, headers: dict[str, str]
) -> None:
    response = await post_raw(api, json.dumps(body()).encode(), headers=headers)

    assert response.status_code == 415
    assert problem_type(response) == "unsupported-media-type"
    assert "application/json" in response.json()["detail"]
    assert await registrations(seeded) == 0


async def test_no_body_at_all_is_refused(api: Client) -> None:
    response = await api.post(ASI)

    assert response.status_code == 415
    assert problem_type(response) == "unsupported-media-type"


@pytest.mark.parametrize("content_type", ["Application/JSON; charset=UTF-8", "application/json"])
async def test_json_is_read_whatever_the_case_of_its_media_type(
    api: Client, content_type: str
) -> None:
    response = await post_raw(api, json.dumps(body()).encode(), {"content-type": content_type})

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("true", "Väntade true eller false, fick text."),
        (1, "Väntade true eller false, fick ett heltal."),
        (None, "Väntade true eller false, fick inget värde."),
    ],
)
async def test_works_in_field_must_be_a_real_boolean(
    api: Client, seeded: ServiceContext, value: object, message: str
) -> None:
    response = await api.post(ASI, json=body(works_in_field=value))

    assert_validation_error(response)
    assert field_errors(response) == {"works_in_field": message}
    assert await registrations(seeded) == 0


async def test_strict_types_still_list_every_wrong_field(api: Client) -> None:
    response = await api.post(
        ASI, json=body(works_in_field="yes", employer=5, phone=470123, name="")
    )

    assert field_errors(response) == {
        "name": "Får inte vara tomt.",
        "employer": "Väntade text, fick ett heltal.",
        "works_in_field": "Väntade true eller false, fick text.",
        "phone": "Väntade text eller inget värde, fick ett heltal.",
    }
