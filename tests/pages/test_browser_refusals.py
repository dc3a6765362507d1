"""Closed, not yet open and full courses explain themselves; a full one offers its waitlist."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.async_api import Page, expect

from courses.domain.rules import swedish_date
from tests.conftest import local
from tests.pages.conftest import BROWSER
from tests.pages.forms import fill_registration, submit
from tests.pages.site import CLOSED_SOON, FULL_NO_WAITLIST, NOT_YET_OPEN, Site

pytestmark = BROWSER

ASI = "demo-asi-grund-2022"  # four seats, with a waitlist


def _card(page: Page, title: str) -> object:
    return page.locator(".course-card", has=page.get_by_role("link", name=title, exact=True))


async def _deadline(site: Site, slug: str) -> date:
    return date.fromisoformat((await site.api(f"/api/courses/{slug}"))["deadline"])


async def test_a_form_sent_after_the_deadline_is_refused_and_the_course_says_it_closed(
    page: Page, site: Site
) -> None:
    deadline = await _deadline(site, CLOSED_SOON)
    await page.goto(f"/kurser/{CLOSED_SOON}")
    await fill_registration(page)
    next_day = deadline + timedelta(days=1)
    site.clock.set(local(next_day.year, next_day.month, next_day.day, 0, 0))

    await submit(page)

    summary = page.locator(".error-summary")
    await expect(summary).to_contain_text(
        f"Sista anmälningsdag var {swedish_date(deadline)}. Anmälan är stängd."
    )
    await expect(summary).to_be_focused()
    await expect(page).to_have_title(re.compile("^Fel: "))
    await expect(page.locator("form.form")).to_have_count(0)
    await page.goto("/")
    await expect(_card(page, "DEMO – LVM föreläsning")).to_contain_text("Anmälan stängd")


async def test_before_opening_the_course_says_when_it_opens_and_has_no_form(
    page: Page,
) -> None:
    await page.goto("/")
    await expect(_card(page, "Fördjupning i motiverande samtal")).to_contain_text("Öppnar 12 mars")

    await page.get_by_role("link", name="Fördjupning i motiverande samtal").click()

    await expect(page.locator(".tags")).to_contain_text("Öppnar 12 mars")
    await expect(
        page.get_by_text("Anmälan öppnar 12 mars 2027. Välkommen tillbaka då.")
    ).to_be_visible()
    await expect(page.locator("form.form")).to_have_count(0)
    assert NOT_YET_OPEN in page.url


async def test_a_full_course_offers_its_waitlist_and_the_receipt_gives_the_place(
    page: Page, site: Site
) -> None:
    for n in range(1, 5):
        await site.register(ASI, n)
    await page.goto("/")
    await expect(_card(page, "DEMO – ASI grundutbildning")).to_contain_text(
        "Fullbokad – reservlista"
    )
    await page.get_by_role("link", name="DEMO – ASI grundutbildning").click()
    await expect(page.get_by_text("du kan anmäla dig till reservlistan")).to_be_visible()
    await fill_registration(page)

    await page.get_by_role("button", name="Ställ mig på reservlistan").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Du står på reservlistan")
    await expect(
        page.get_by_text("Du är nummer 1 i kön till DEMO – ASI grundutbildning.")
    ).to_be_visible()
    await expect(page.get_by_role("link", name="Lägg till i kalendern")).to_have_count(0)


async def test_a_full_course_without_waitlist_says_so_and_has_no_form(
    page: Page, site: Site
) -> None:
    await site.register(FULL_NO_WAITLIST, 1)

    await page.goto(f"/kurser/{FULL_NO_WAITLIST}")

    await expect(page.locator(".tags")).to_contain_text("Fullbokad")
    await expect(
        page.get_by_text("Alla platser är tagna och kursen har ingen reservlista")
    ).to_be_visible()
    await expect(page.locator("form.form")).to_have_count(0)


async def test_a_form_sent_after_the_last_seat_went_is_refused_clearly(
    page: Page, site: Site
) -> None:
    await page.goto(f"/kurser/{FULL_NO_WAITLIST}")
    await fill_registration(page)
    await site.register(FULL_NO_WAITLIST, 1)  # someone else is quicker

    await submit(page)

    await expect(page.locator(".error-summary")).to_contain_text("Kursen är fullbokad.")
    await expect(page.locator("form.form")).to_have_count(0)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Litet seminarium om återfall")
