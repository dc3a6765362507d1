"""HEAD answers wherever GET does (the headers of the GET, no body), and `Allow`, on OPTIONS
and on 405, names every method of the path."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Any]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/logga-in", 200),
        ("/api/courses", 200),
        ("/api/employers", 200),
        ("/api/courses/finns-inte", 404),
        ("/api/courses/lvm-forelasning-2022/attendees", 401),
    ],
)
async def test_head_is_the_get_without_its_body(api: Client, path: str, status: int) -> None:
    got = await api.get(path)
    head = await api.head(path)

    assert got.status_code == head.status_code == status
    assert got.content
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == got.headers["content-length"]


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/", "GET, HEAD, OPTIONS"),
        ("/logga-in", "GET, HEAD, OPTIONS, POST"),
        ("/api/registrations/abc", "DELETE, GET, HEAD, OPTIONS"),
        ("/api/admin/schedule", "GET, HEAD, OPTIONS, POST"),
        ("/api/admin/employers/vaxjo", "DELETE, OPTIONS, PATCH"),
    ],
)
async def test_options_names_every_method_of_the_path(api: Client, path: str, allow: str) -> None:
    answer = await api.options(path)

    assert answer.status_code == 204
    assert answer.headers["allow"] == allow


async def test_a_method_not_allowed_names_those_that_are(api: Client) -> None:
    answer = await api.put("/api/courses")

    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD, OPTIONS"
