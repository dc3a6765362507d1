"""The whole registration with the keyboard alone, and the pages on a 360 px wide phone."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab, tab_to
from tests.pages.site import Site

pytestmark = BROWSER


async def test_the_whole_registration_can_be_done_with_the_keyboard_with_focus_visible(
    page: Page,
) -> None:
    await page.goto("/kurser/demo-aterfallsprevention-2022")
    await page.evaluate(REMEMBER)

    await tab_to(page, "name")
    await page.keyboard.type("Karin Keyboard")
    assert (await tab(page))["id"] == "email"
    await page.keyboard.type("karin.keyboard@ljungby.se")
    assert (await tab(page))["id"] == "employer"
    await page.keyboard.type("Ljungby")  # a closed select picks by typed letters
    assert (await tab(page))["id"] == "workplace"
    await page.keyboard.type("Öppenvården")
    assert (await tab(page))["id"] == "format"  # the first of the radios
    await page.keyboard.press("Space")
    assert (await tab(page))["id"] == "phone"
    assert (await tab(page, "Shift+Tab"))["id"] == "format"  # and back again
    assert (await tab(page))["id"] == "phone"
    assert (await tab(page))["id"] == "message"
    assert (await tab(page))["id"] == "works_in_field"
    await page.keyboard.press("Space")
    button = await tab(page)
    assert (button["tag"], button["text"]) == ("BUTTON", "Skicka anmälan")
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("heading", level=1)).to_have_text("Du är anmäld")
    await expect(page.get_by_text("Karin Keyboard")).to_be_visible()
    await expect(page.locator(".facts")).to_contain_text("På plats")
    await expect(page.locator(".facts")).to_contain_text("Ljungby")
    await expect(page.get_by_text("Ljungby kommun")).to_be_visible()


async def test_catalogue_course_and_receipt_pages_fit_a_360_pixel_wide_phone(
    page: Page, site: Site
) -> None:
    await page.set_viewport_size({"width": 360, "height": 740})
    receipt = (await site.register("demo-asi-grund-2022", "med-ett-mycket-langt-namn"))[
        "manage_url"
    ]
    too_wide = {}
    for path in ["/", "/?visa=tidigare", "/kurser/demo-aterfallsprevention-2022", receipt]:
        await page.goto(path)
        width = await page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width[0] > width[1]:
            too_wide[path] = width
    await page.goto("/kurser/demo-aterfallsprevention-2022")
    await page.locator("form.form button[type=submit]").click()  # the form with its errors
    width = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width[0] > width[1]:
        too_wide["the form with errors"] = width

    assert too_wide == {}
