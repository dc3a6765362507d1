"""Fair seats on the pages and in the course JSON (test client): the share on the course page
and the catalogue card, and the reason on the receipt of someone it waitlisted."""

from __future__ import annotations

import html
from typing import Any

from litestar.testing import AsyncTestClient

from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.conftest import local
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


async def test_the_share_line_goes_when_the_share_ends_also_from_the_cached_catalogue(
    seeded: ServiceContext, client: Client, clock: FixedClock
) -> None:
    await with_fair_course(seeded)  # the share lasts through 25 August 2022
    clock.set(local(2022, 8, 25, 23, 59))
    page_before = html.unescape((await client.get(f"/kurser/{FAIR}")).text)
    catalogue_before = html.unescape((await client.get("/")).text)

    clock.set(local(2022, 8, 26, 0, 0))  # the same loaded catalogue, the clock moved on
    page_after = html.unescape((await client.get(f"/kurser/{FAIR}")).text)
    catalogue_after = html.unescape((await client.get("/")).text)

    assert SHARE_LINE in page_before
    assert SHARE_LINE in catalogue_before
    assert "per arbetsgivare" not in page_after
    assert "per arbetsgivare" not in catalogue_after
    assert "Rättvis kurs" in catalogue_after  # the card itself is still there
    assert "Fördelning" not in catalogue_after


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
