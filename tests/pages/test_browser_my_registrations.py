"""`/mina-anmalningar` in chromium on a 360 px wide phone, by keyboard alone, axe-clean in
each state: from the footer link, through a missed address, to the mail whose link opens the
registration."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from playwright.async_api import Page, expect

from tests.mail import parse
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab_to
from tests.pages.site import Site

# The markup does not depend on the database; the service tests run on both.
pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

ASI = "demo-asi-grund-2022"
ADDRESS = "deltagare7@vaxjo.se"


async def _list_mail(site: Site) -> str:
    deadline = time.monotonic() + 10
    while True:
        found = [m for m in site.smtp.to(ADDRESS) if str(m["Subject"]) == "Dina kursanmälningar"]
        if found:
            return parse.text(found[0])
        assert time.monotonic() < deadline, "no list mail within 10 s"
        await asyncio.sleep(0.05)


async def _fits(page: Page) -> bool:
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(widths[0] <= widths[1])


async def test_a_registrant_gets_their_links_mailed_by_keyboard_on_a_phone(
    page: Page, site: Site
) -> None:
    await page.set_viewport_size({"width": 360, "height": 740})
    created = await site.register(ASI, 7)
    audit = Audit(page)

    await page.goto("/")
    await page.get_by_role("link", name="Mina anmälningar").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mina anmälningar")
    assert await _fits(page)
    await audit.check("the form")

    await page.evaluate(REMEMBER)
    await tab_to(page, "email")
    await page.keyboard.type("deltagare7 vaxjo.se")
    await page.keyboard.press("Enter")
    await expect(page).to_have_title(re.compile("^Fel: Mina anmälningar"))
    await expect(page.locator("#email-error")).to_contain_text("e-postadress")
    assert await _fits(page)
    await audit.check("a missed address")

    await page.evaluate(REMEMBER)
    await tab_to(page, "email")
    await page.keyboard.press("Control+A")
    await page.keyboard.type(ADDRESS)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kolla din e-post")
    assert await _fits(page)
    await audit.check("the answer")
    assert audit.found == {}

    links = re.findall(r"http://\S+/anmalan/\S+", await _list_mail(site))
    assert [link.rsplit("/", 1)[1] for link in links] == [created["manage_url"].rsplit("/", 1)[1]]
    await page.goto(links[0])
    await expect(page.get_by_role("heading", level=1)).to_have_text("Du är anmäld")
    await expect(page.get_by_role("main")).to_contain_text("ASI grundutbildning")
