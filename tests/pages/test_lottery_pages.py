"""A lottery course on the pages and in the API: before the draw and after it."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.lottery.draw import draw
from tests.conftest import registrant
from tests.pages.test_course_page import form, post
from tests.services.lottery_support import SLUG, add_lottery

Client = AsyncTestClient[Any]
PAGE = f"/kurser/{SLUG}"


async def test_before_the_draw_the_pages_say_when_the_seats_are_drawn(
    client: Client, seeded: ServiceContext
) -> None:
    await add_lottery(seeded)
    assert "Platserna lottas den 2 april" in (await client.get(PAGE)).text
    assert "Platserna lottas den 2 april" in (await client.get("/")).text


async def test_an_application_is_answered_applied_and_its_page_says_so(
    client: Client, seeded: ServiceContext
) -> None:
    await add_lottery(seeded)
    body = registrant(1, format="digital")
    answer = await client.post(f"/api/courses/{SLUG}/registrations", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "applied"
    assert answer.json()["waitlist_position"] is None
    response = await post(client, PAGE, form(2, format="vaxjo"))
    assert response.status_code == 303
    receipt = (await client.get(response.headers["location"])).text
    assert "Ansökan mottagen – lottning den 2 april" in receipt
    assert "Avanmäl" in receipt or "avanmal" in receipt


async def test_after_the_draw_the_pages_no_longer_speak_of_a_lottery(
    client: Client, seeded: ServiceContext
) -> None:
    await add_lottery(seeded)
    await client.post(f"/api/courses/{SLUG}/registrations", json=registrant(1, format="vaxjo"))
    await draw(seeded, SLUG, actor=Actor.command_line())
    assert "lottas" not in (await client.get(PAGE)).text
    assert "lottas" not in (await client.get("/")).text
    answer = await client.post(
        f"/api/courses/{SLUG}/registrations", json=registrant(2, format="vaxjo")
    )
    assert answer.json()["status"] == "confirmed"


async def test_an_approval_lottery_asks_for_the_manager_before_the_draw(
    client: Client, seeded: ServiceContext
) -> None:
    await add_lottery(seeded, extra='approval = "manager"')
    page = (await client.get(PAGE)).text
    assert 'name="manager_email"' in page
    assert "Får du en plats i lottningen får chefen ett mejl" in page
    register = f"/api/courses/{SLUG}/registrations"

    missing = await client.post(register, json=registrant(1, format="digital"))
    assert missing.status_code == 400
    assert missing.json()["type"].endswith("validation-error")
    assert [e["field"] for e in missing.json()["errors"]] == ["manager_email"]
    body = registrant(1, format="digital", manager_email="chef@vaxjo.se")
    answer = await client.post(register, json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "applied"


async def test_the_receipt_of_an_approval_lottery_names_the_manager_the_draw_asks(
    client: Client, seeded: ServiceContext
) -> None:
    await add_lottery(seeded, extra='approval = "manager"')
    response = await post(client, PAGE, form(1, format="digital", manager_email="chef@vaxjo.se"))
    assert response.status_code == 303
    receipt = (await client.get(response.headers["location"])).text
    assert "Får du en plats i lottningen ber vi din chef (chef@vaxjo.se)" in receipt
