"""`/admin/nytt-ar` in chromium: an admin picks the courses by keyboard, previews next year's
copies with the session on midsommarafton named, and creates the drafts; then copies one course
to a date of its choosing. axe on every state."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab, tab_to
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, add_staff
from tests.pages.test_browser_staff import sign_in

pytestmark = BROWSER

# On midsommarafton 2027 (Friday 25 June); 52 weeks on is Friday 23 June 2028, midsommarafton.
MIDSUMMER = """
[[course]]
slug = "sommarmote-2027"
title = "Sommarmöte"
deadline = 2027-06-01
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2027-06-22
start = 09:00:00
end = 12:00:00
[[course.session]]
date = 2027-06-25
"""


async def _more(ctx: ServiceContext) -> None:
    await add_staff(ctx)
    await import_schedule(ctx, parse_schedule(MIDSUMMER))


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_more) as running:
        yield running


async def test_an_admin_rolls_a_course_forward_with_the_keyboard(page: Page, site: Site) -> None:
    audit = Audit(page)
    await sign_in(page, site, ADMIN)
    await page.goto("/admin")
    await page.get_by_role("link", name="Nytt år").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nytt år")
    await audit.check("choose")

    for box in await page.locator("input[name=kurser]").all():
        await box.uncheck()
    await page.get_by_role("button", name="Förhandsgranska").click()
    await expect(page).to_have_title(re.compile(r"^Fel: Nytt år – "))
    await expect(page.locator(".error-summary")).to_contain_text("Välj minst en kurs att kopiera.")
    await audit.check("no course picked")

    # By keyboard alone: tick the summer course, reach the button, press it.
    await page.evaluate(REMEMBER)
    await tab_to(page, "kurs-sommarmote-2027", limit=120)
    await page.keyboard.press("Space")
    await tab_to(page, "veckor")
    focused = await tab(page)
    assert (focused["tag"], focused["text"]) == ("BUTTON", "Förhandsgranska")
    await page.keyboard.press("Enter")

    copy = page.locator(".copy", has_text="Sommarmöte")
    await expect(copy).to_contain_text("sommarmote-2028")
    await expect(copy.locator(".tag--holiday")).to_have_text("Midsommarafton")
    await expect(copy).to_contain_text("fredag 23 juni 2028")
    await audit.check("preview")
    await page.set_viewport_size({"width": 360, "height": 740})
    assert await _fits(page), "the preview scrolls sideways at 360 px"
    await page.set_viewport_size({"width": 1024, "height": 800})

    await page.get_by_role("button", name="Skapa utkast").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Utkastet är skapat")
    await expect(page.get_by_role("link", name="Sommarmöte", exact=True)).to_have_attribute(
        "href", "/admin/kurser/sommarmote-2028"
    )
    await audit.check("created")

    # One course to other dates: a day typed wrong, then its preview.
    await page.goto("/admin/kurser/sommarmote-2027/kopiera")
    await audit.check("copy form")
    await page.get_by_label("Ny första kursdag").fill("25 juni")
    await page.get_by_role("button", name="Förhandsgranska").click()
    await expect(page.locator("#forsta_dag-error")).to_contain_text("år-månad-dag")
    await expect(page.get_by_label("Ny första kursdag")).to_have_value("25 juni")
    await audit.check("copy form with an error")
    await page.get_by_label("Ny första kursdag").fill("2027-12-21")
    await page.get_by_role("button", name="Förhandsgranska").click()
    await expect(page.locator(".copy .tag--holiday")).to_have_text("Julafton")
    await audit.check("copy preview")

    assert audit.found == {}, "\n\n".join(audit.found.values())


async def _fits(page: Page) -> bool:
    width = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(width[0] <= width[1])
