"""Cancelling from the registrant's own page: a confirmation step, then the seat is free."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.pages.conftest import BROWSER
from tests.pages.forms import fill_registration, submit
from tests.pages.site import Site

pytestmark = BROWSER

ASI_TITLE = "DEMO – ASI grundutbildning"


async def _seats_in_catalogue(page: Page) -> str:
    await page.goto("/")
    card = page.locator(".course-card", has=page.get_by_role("link", name=ASI_TITLE))
    return await card.locator(".tag").first.inner_text()


async def test_cancelling_asks_first_then_says_it_is_done_and_the_seat_is_free_again(
    page: Page, site: Site
) -> None:
    await page.goto("/kurser/demo-asi-grund-2022")
    await fill_registration(page)
    await submit(page)
    await page.wait_for_url("**/anmalan/*")
    receipt = page.url
    token = receipt.rsplit("/", 1)[1]
    assert await _seats_in_catalogue(page) == "3 platser kvar"
    await page.goto(receipt)

    await page.get_by_role("link", name="Avanmäl dig").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Vill du avanmäla dig?")
    mine = await site.api(f"/api/registrations/{token}")
    assert mine["status"] == "confirmed"  # showing the question changed nothing

    await page.get_by_role("button", name="Ja, avanmäl mig").click()

    await expect(page).to_have_url(receipt)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Du har avanmält dig")
    await expect(page.get_by_role("link", name="Avanmäl dig")).to_have_count(0)
    assert await _seats_in_catalogue(page) == "4 platser kvar"


async def test_keeping_the_registration_on_the_confirmation_step_changes_nothing(
    page: Page, site: Site
) -> None:
    created = await site.register("demo-hap-2022", 1, format="digital")
    await page.goto(created["manage_url"])
    await page.get_by_role("link", name="Avanmäl dig").click()

    await page.get_by_role("link", name="Nej, behåll min anmälan").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Du är anmäld")
