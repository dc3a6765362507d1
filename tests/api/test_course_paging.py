"""`GET /api/courses` a page at a time, narrowed by month and state; bad paging is a 400."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Any]

EVERY = [
    "lvm-forelasning-2022",
    "aterfallsprevention-2022",
    "asi-metodstod-2022",
    "asi-grund-2022",
    "hap-2022",
]


async def test_the_pages_follow_one_another_by_their_links(api: Client) -> None:
    seen: list[str] = []
    address: str | None = "/api/courses?limit=2"
    counts = []
    while address is not None:
        response = await api.get(address)
        assert response.status_code == 200, response.text
        seen += [c["slug"] for c in response.json()]
        counts.append(response.headers["x-total-count"])
        nxt = response.links.get("next")
        address = nxt["url"] if nxt else None

    assert seen == EVERY
    assert counts == ["5", "5", "5"]


async def test_a_middle_page_links_back_and_on(api: Client) -> None:
    response = await api.get("/api/courses", params={"limit": 2, "offset": 2})

    assert [c["slug"] for c in response.json()] == EVERY[2:4]
    assert response.links["next"]["url"] == "/api/courses?limit=2&offset=4"
    assert response.links["prev"]["url"] == "/api/courses?limit=2&offset=0"


async def test_month_and_state_narrow_the_list(api: Client) -> None:
    april = await api.get("/api/courses", params={"month": "2022-04"})
    november = await api.get("/api/courses", params={"month": "2022-11", "state": "open"})
    waitlist = await api.get("/api/courses", params={"state": "waitlist"})

    assert [c["slug"] for c in april.json()] == ["aterfallsprevention-2022"]
    assert [c["slug"] for c in november.json()] == ["asi-grund-2022", "hap-2022"]
    assert (waitlist.json(), waitlist.headers["x-total-count"]) == ([], "0")
    assert "link" not in waitlist.headers


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=0", "limit", "Måste vara minst 1."),
        ("limit=1001", "limit", "Får vara högst 1000."),
        ("limit=tio", "limit", "Väntade ett heltal, fick text."),
        ("offset=-1", "offset", "Måste vara minst 0."),
        ("month=2022-13", "month", "Ange en månad som ÅÅÅÅ-MM, t.ex. 2027-09."),
        ("state=full", "state", "Ogiltigt värde 'full'."),
    ],
)
async def test_bad_paging_is_a_swedish_400(
    api: Client, query: str, field: str, message: str
) -> None:
    response = await api.get(f"/api/courses?{query}")

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/validation-error")
    assert problem["errors"] == [{"field": field, "message": message}]
