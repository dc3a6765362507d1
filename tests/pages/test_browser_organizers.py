"""Two organizers in the browser: `/` lists them, each one's catalogue at `/{key}/`, a course
page and the accessibility statement, at 360 px: axe-clean, no sideways scrolling, reached by
keyboard from the front page and from the footer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab
from tests.pages.site import Site, running_site
from tests.pages.test_browser_admin_people import fits_a_phone, report
from tests.services.admin_support import OTHER_COURSE, OTHER_ORGANIZER_FILE, SEED_ORGANIZER

# The markup does not depend on the database; the pages are tested on both through the app.
pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


async def _add_b(ctx: ServiceContext) -> None:
    await import_schedule(ctx, parse_schedule(OTHER_ORGANIZER_FILE, source="b.toml"))


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_add_b) as running:
        yield running


async def tab_to_link(page: Page, text: str, *, limit: int = 40) -> None:
    """Tab (focus visible at every step) until the link with `text` has focus."""
    for _ in range(limit):
        focused = await tab(page)
        if (focused["tag"], focused["text"]) == ("A", text):
            return
    raise AssertionError(f"Tab never reached the link {text!r}")


async def test_two_organizers_pages_are_accessible_on_a_phone(page: Page) -> None:
    await page.set_viewport_size({"width": 360, "height": 740})
    audit = Audit(page)
    too_wide: list[str] = []
    for path in [
        "/",
        "/b/",
        "/b/?visa=tidigare",
        f"/{SEED_ORGANIZER}/",
        f"/kurser/{OTHER_COURSE}",
        "/tillganglighet",
        "/tillganglighet?arrangor=b",
    ]:
        await page.goto(path)
        await audit.check(path)
        try:
            await fits_a_phone(page)
        except AssertionError:
            too_wide.append(path)

    assert audit.found == {}, report(audit)
    assert too_wide == []


async def test_an_organizers_catalogue_and_statement_are_reached_by_keyboard(
    page: Page,
) -> None:
    await page.goto("/")
    await expect(page.get_by_role("link", name="Arrangör B")).to_be_visible()
    await page.evaluate(REMEMBER)

    await tab_to_link(page, "Arrangör B")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/b/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Utbildningar hos Arrangör B")
    await expect(page).to_have_title(
        "Kurser – Arrangör B – Utbildningar inom missbruks- och beroendevård"
    )

    await page.evaluate(REMEMBER)
    await tab_to_link(page, "Tillgänglighet")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/tillganglighet?arrangor=b")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tillgänglighet för Utbildningar inom missbruks- och beroendevård"
    )
    await expect(page.locator("main")).to_contain_text("Arrangör B står bakom den här webbplatsen")
