"""axe-core on every page, in every state a person meets it: no violation of WCAG 2.1 A or AA."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.forms import fill_registration, submit
from tests.pages.site import FULL_NO_WAITLIST, NOT_YET_OPEN, Site

# The markup does not depend on the database; the other browser tests run on both.
pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


async def test_public_pages_have_no_accessibility_violations(page: Page, site: Site) -> None:
    audit = Audit(page)
    await site.register(FULL_NO_WAITLIST, 1)
    for name, path in {
        "catalogue": "/",
        "catalogue, filtered to nothing": "/?manad=2027-02&format=pa-plats&visa=tidigare",
        "past courses": "/?visa=tidigare",
        "course with the form": "/kurser/demo-aterfallsprevention-2022",
        "course in the past": "/kurser/asi-grund-2022",
        "course not yet open": f"/kurser/{NOT_YET_OPEN}",
        "course full without waitlist": f"/kurser/{FULL_NO_WAITLIST}",
        "page that does not exist": "/kurser/finns-inte",
    }.items():
        await page.goto(path)
        await audit.check(name)
    await page.goto("/kurser/demo-aterfallsprevention-2022")
    await submit(page)
    await audit.check("the form with every error")
    await fill_registration(page, email="anna@gmail.com", format="Digitalt")
    await submit(page)
    await audit.check("the form with a refusal next to a field")
    await page.context.clear_cookies()
    await submit(page)
    await audit.check("the form sent without its CSRF cookie")

    assert audit.found == {}, "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())
    assert len(audit.checked) == 11


async def test_the_registrants_pages_have_no_accessibility_violations(
    page: Page, site: Site
) -> None:
    audit = Audit(page)
    for n in range(1, 5):
        await site.register("demo-asi-grund-2022", n)
    waiting = (await site.register("demo-asi-grund-2022", 5))["manage_url"]
    await page.goto(waiting)
    await audit.check("receipt of a waitlist place")
    await page.goto("/kurser/demo-hap-2022")
    await fill_registration(page, format="Digitalt", phone="0470-123 45", message="Hej!")
    await submit(page)
    await page.wait_for_url("**/anmalan/*")
    await audit.check("receipt of a seat")
    await page.get_by_role("link", name="Avanmäl dig").click()
    await audit.check("the confirmation step of cancelling")
    await page.get_by_role("button", name="Ja, avanmäl mig").click()
    await page.wait_for_url("**/anmalan/*")
    await audit.check("a cancelled registration")
    await page.goto("/anmalan/ingen-sadan-anmalan")
    await audit.check("an unknown registration link")

    assert audit.found == {}, "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())
    assert len(audit.checked) == 5
