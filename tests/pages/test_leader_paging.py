"""A course's attendee list on `/kursledare/{slug}` a page at a time (200 a page; `antal` asks
for fewer, as here): waitlist places and counts are the whole course's, and attendance saved
from a later page comes back to it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.pages.conftest import csrf_token
from tests.pages.staff import COURSE_A, LEADER_A, add_staff, sign_in

Client = AsyncTestClient[Any]
PAGE = f"/kursledare/{COURSE_A}"


@pytest.fixture
async def leader(seeded: ServiceContext, clock: FixedClock) -> Any:
    await add_staff(seeded)  # course A: Deltagare 1 and 2 confirmed, 3 on the waitlist
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        await sign_in(client, seeded, LEADER_A)
        yield client


def names(page: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+)</th>', page)


async def test_the_list_pages_on_and_the_counts_stay_whole(leader: Client) -> None:
    first = (await leader.get(f"{PAGE}?antal=2")).text
    following = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert following
    second = (await leader.get(following[1].replace("&amp;", "&"))).text

    assert names(first) == ["Deltagare 1", "Deltagare 2"]
    assert names(second) == ["Deltagare 3"]
    assert "Visar 1–2 av 3" in first
    assert "Visar 3–3 av 3" in second
    assert re.search(r"<td>Reservlista</td>\s*<td>1</td>", second)  # its place, not the page's
    for page in (first, second):
        assert "<dt>Bekräftade</dt><dd>2</dd>" in page
        assert "<dt>På reservlistan</dt><dd>1</dd>" in page


async def test_an_unreadable_page_is_the_first_and_the_whole_list_needs_no_links(
    leader: Client,
) -> None:
    odd = (await leader.get(f"{PAGE}?sida=tre&antal=2")).text
    whole = (await leader.get(PAGE)).text

    assert names(odd) == ["Deltagare 1", "Deltagare 2"]
    assert names(whole) == ["Deltagare 1", "Deltagare 2", "Deltagare 3"]
    assert 'class="pager"' not in whole


async def test_attendance_saved_on_a_later_page_returns_to_it(leader: Client) -> None:
    page = (await leader.get(f"{PAGE}?antal=1&sida=2")).text
    (one,) = re.findall(r'id="narvaro-1-(\d+)" name="narvarande"', page)
    token = await csrf_token(leader, PAGE)

    saved = await leader.post(
        f"{PAGE}/narvaro",
        data={
            "_csrf_token": token,
            "kursdag": "1",
            "deltagare": one,
            "narvarande": one,
            "sida": "2",
        },
        follow_redirects=False,
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == f"{PAGE}?sparat=1&sida=2#narvaro-1"
