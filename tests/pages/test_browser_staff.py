"""The staff side in chromium: a leader signs in through the link in the mail the SMTP server
received, opens their course, marks attendance and prints the sheet; another leader's course
is a 404; signing in works by keyboard alone; every page fits a phone."""

from __future__ import annotations

import asyncio
import io
import re
import time
import zipfile
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from courses.api import create_app
from courses.settings import Settings
from tests.mail.parse import text
from tests.mail.smtp_server import SmtpServer
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab, tab_to
from tests.pages.site import Site, running_site
from tests.pages.staff import COURSE_A, COURSE_B, LEADER_A, add_staff

pytestmark = BROWSER


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    """The browser tests' site with the staff courses, their registrants and an admin."""
    with running_site(db_url, smtp, more=add_staff) as running:
        yield running


def _has_xlsx_export() -> bool:
    """Whether this checkout serves the attendee list as XLSX (the API's export, built beside
    these pages): the download test runs as soon as it does."""
    return any(route.path.endswith("attendees.xlsx") for route in create_app(Settings()).routes)


async def mailed_link(site: Site, address: str, *, nth: int = 0) -> str:
    """The path of the sign-in link in the `nth` mail to `address`, waiting up to 10 s."""
    deadline = time.monotonic() + 10
    while len(found := site.smtp.to(address)) <= nth:
        if time.monotonic() > deadline:
            raise AssertionError(f"no sign-in mail {nth} to {address} within 10 s")
        await asyncio.sleep(0.05)
    link = re.search(r"https?://[^\s]+/logga-in/[\w-]+", text(found[nth]))
    assert link, text(found[nth])
    return link[0].removeprefix(site.url)


async def ask_for_link(page: Page, address: str) -> None:
    await page.get_by_label("E-postadress").fill(address)
    await page.get_by_role("button", name="Skicka inloggningslänk").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kolla din e-post")


async def sign_in(page: Page, site: Site, address: str, *, nth: int = 0) -> None:
    await page.goto("/logga-in")
    await ask_for_link(page, address)
    await page.goto(await mailed_link(site, address, nth=nth))
    await page.get_by_role("button", name="Logga in").click()


async def test_a_leader_signs_in_by_the_mailed_link_and_marks_attendance(
    page: Page, site: Site
) -> None:
    await page.goto("/kursledare")  # not signed in: to the sign-in, and back here afterwards
    await expect(page).to_have_url(re.compile(r"/logga-in\?till=%2Fkursledare$"))
    await ask_for_link(page, LEADER_A)
    link = await mailed_link(site, LEADER_A)
    await page.goto(link)
    await page.goto(link)  # opened twice (a mail scanner first): still unspent
    await page.get_by_role("button", name="Logga in").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Mina kurser")
    await page.get_by_role("link", name="Samtal om spel").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Samtal om spel")
    await expect(page.get_by_role("table")).to_contain_text("deltagare1@vaxjo.se")
    await expect(page.get_by_role("link", name="Ladda ner som Excel (.xlsx)")).to_have_attribute(
        "href", f"/api/courses/{COURSE_A}/attendees.xlsx"
    )
    day_one = page.locator("#narvaro-1")
    await day_one.get_by_label("Deltagare 1").check()
    await day_one.get_by_role("button", name="Spara närvaro för kursdag 1").click()

    await expect(page.get_by_role("status")).to_have_text("Närvaron för kursdag 1 är sparad.")
    await page.reload()
    await expect(page.locator("#narvaro-1").get_by_label("Deltagare 1")).to_be_checked()
    await expect(page.locator("#narvaro-1").get_by_label("Deltagare 2")).not_to_be_checked()
    await expect(page.locator("#narvaro-2").get_by_label("Deltagare 1")).not_to_be_checked()


@pytest.mark.skipif(
    not _has_xlsx_export(),
    reason="the XLSX export (/api/courses/{slug}/attendees.xlsx) is not here",
)
async def test_a_leader_downloads_the_attendee_list_as_xlsx(page: Page, site: Site) -> None:
    await sign_in(page, site, LEADER_A)
    await page.goto(f"/kursledare/{COURSE_A}")

    async with page.expect_download() as started:
        await page.get_by_role("link", name="Ladda ner som Excel (.xlsx)").click()
    download = await started.value
    path = await download.path()

    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as workbook:
        cells = "".join(
            workbook.read(name).decode() for name in workbook.namelist() if name.startswith("xl/")
        )
    for name in ("Deltagare 1", "Deltagare 2", "Deltagare 3"):
        assert name in cells


async def test_a_leader_cannot_open_another_leaders_course(page: Page, site: Site) -> None:
    await sign_in(page, site, LEADER_A)

    other = await page.goto(f"/kursledare/{COURSE_B}")

    assert other is not None
    assert other.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kursen finns inte")
    await expect(page.get_by_text("Återfall och stöd")).to_have_count(0)


async def test_the_attendance_sheet_prints_without_the_navigation(page: Page, site: Site) -> None:
    await sign_in(page, site, LEADER_A)
    await page.goto(f"/kursledare/{COURSE_A}/narvarolista")

    await page.emulate_media(media="print")

    await expect(page.locator(".site-header")).to_be_hidden()
    await expect(page.locator(".back")).to_be_hidden()
    await expect(page.get_by_role("heading", name="Kursdag 1", exact=False)).to_be_visible()
    await expect(page.get_by_role("columnheader", name="Underskrift").first).to_be_visible()


async def test_signing_in_and_out_works_with_the_keyboard_alone(page: Page, site: Site) -> None:
    await page.goto("/logga-in")
    await page.evaluate(REMEMBER)
    await tab_to(page, "email")
    await page.keyboard.type(LEADER_A)
    button = await tab(page)
    assert (button["tag"], button["text"]) == ("BUTTON", "Skicka inloggningslänk")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kolla din e-post")

    await page.goto(await mailed_link(site, LEADER_A))
    await page.evaluate(REMEMBER)
    for _ in range(10):
        focused = await tab(page)
        if (focused["tag"], focused["text"]) == ("BUTTON", "Logga in"):
            break
    else:
        raise AssertionError("Tab never reached the Logga in button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mina kurser")

    await page.evaluate(REMEMBER)
    for _ in range(10):
        focused = await tab(page)
        if (focused["tag"], focused["text"]) == ("BUTTON", "Logga ut"):
            break
    else:
        raise AssertionError("Tab never reached the Logga ut button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_have_text("Du är utloggad.")


async def test_the_staff_pages_fit_a_360_pixel_wide_phone(page: Page, site: Site) -> None:
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, site, "admin@kronoberg.se")
    too_wide = {}
    for path in [
        "/kursledare",
        f"/kursledare/{COURSE_A}",
        f"/kursledare/{COURSE_A}/narvarolista",
        "/admin",
        "/logga-in",
    ]:
        await page.goto(path)
        width = await page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width[0] > width[1]:
            too_wide[path] = width

    assert too_wide == {}
