"""Fair seats on the pages and in the course JSON (test client): the share on the course page
and the catalogue card, and the reason on the receipt of someone it waitlisted."""

from __future__ import annotations

import html
from typing import Any

from litestar.testing import AsyncTestClient

from courses.services.context import ServiceContext
from tests.fair_support import FAIR, REASON, SHARE_LINE, with_fair_course
from tests.pages.test_course_page import form, post

Client = AsyncTestClient[Any]


async def test_the_course_page_and_its_card_tell_the_share(
    seeded: ServiceContext, client: Client
) -> None:
    await with_fair_course(seeded)

    page = html.unescape((await client.get(f"/kurser/{FAIR}")).text)
    catalogue = html.unescape((await client.get("/")).text)

    assert SHARE_LINE in page
    assert SHARE_LINE in catalogue
    assert catalogue.count(SHARE_LINE) == 1  # only the fair course's card


async def test_a_course_without_the_share_says_nothing_of_it(client: Client) -> None:
    page = (await client.get("/kurser/asi-grund-2022")).text

    assert "per arbetsgivare" not in page


async def test_the_receipt_of_someone_the_share_waitlisted_says_why(
    seeded: ServiceContext, client: Client
) -> None:
    await with_fair_course(seeded)
    first = await post(client, f"/kurser/{FAIR}", form(1))
    second = await post(client, f"/kurser/{FAIR}", form(2))

    seated = html.unescape((await client.get(first.headers["location"])).text)
    waiting = html.unescape((await client.get(second.headers["location"])).text)

    assert REASON not in seated
    assert "Du står på reservlistan" in waiting
    assert REASON in waiting


async def test_the_course_json_shows_the_share(seeded: ServiceContext, client: Client) -> None:
    await with_fair_course(seeded)

    fair = (await client.get(f"/api/courses/{FAIR}")).json()
    plain = (await client.get("/api/courses/asi-grund-2022")).json()

    assert (fair["per_employer"], fair["share_until"]) == (1, "2022-08-25")
    assert (plain["per_employer"], plain["share_until"]) == (None, None)
