"""The course editor in chromium: an admin opens a new course's form, adds a session row by
keyboard, meets the errors, then moves a session of a course with a confirmed registrant,
sees the preview, saves it, and the registrant's updated invite arrives at the SMTP server
with the same UID and a higher SEQUENCE. axe-core runs on every state."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.async_api import Page, expect

from tests.mail.invite_scenarios import Invite, invites_to
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, COURSE_A, add_staff
from tests.pages.test_browser_staff import sign_in

pytestmark = BROWSER

CONFIRMED = "deltagare1@vaxjo.se"  # on course A's digital format, with its invites


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=add_staff) as running:
        yield running


async def invites(site: Site, *, at_least: int, skip: int = 0) -> list[Invite]:
    """The invites to the confirmed registrant after its first `skip` messages, waiting up to
    10 s for `at_least`."""
    deadline = time.monotonic() + 10
    while len(found := invites_to(site.smtp, CONFIRMED, skip=skip)) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} invites to {CONFIRMED}, not {at_least}")
        await asyncio.sleep(0.05)
    return found


async def test_an_admin_moves_a_session_previews_it_and_the_invite_is_updated(
    page: Page, site: Site
) -> None:
    audit = Audit(page)
    first = await invites(site, at_least=2)  # one per session, sequence 0
    received = len(site.smtp.to(CONFIRMED))
    await sign_in(page, site, ADMIN)

    await page.goto("/admin")
    await page.get_by_role("link", name="Ny kurs").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ny kurs")
    await audit.check("an empty course form")

    add = page.get_by_role("button", name="Lägg till kursdag")
    await add.focus()
    await page.keyboard.press("Enter")  # by keyboard: a submit button, no script
    await expect(page.locator("#session-2-date")).to_be_focused()
    await page.get_by_role("button", name="Spara").click()
    await expect(page).to_have_title(re.compile(r"^Fel: "))
    await expect(page.locator("#title-error")).to_be_visible()
    await audit.check("the course form with errors")

    await page.goto(f"/admin/kurser/{COURSE_A}")
    box = page.locator("#session-1-date")
    moved = date.fromisoformat(await box.input_value()) + timedelta(days=1)
    await box.fill(moved.isoformat())
    await box.press("Enter")  # Enter in a text box saves, as "Spara" does (not "add a row")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Så här ändras kursen")
    await expect(page.get_by_text("uppdaterade kalenderinbjudningar")).to_be_visible()
    await audit.check("the preview of a change")
    await page.set_viewport_size({"width": 360, "height": 800})
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360

    await page.get_by_role("button", name="Spara och skicka").click()
    await expect(page.get_by_role("status")).to_have_text("Kursen är sparad.")
    await audit.check("the saved course")

    updated = await invites(site, at_least=len(first), skip=received)
    assert [(i.method, i.uid) for i in updated] == [("REQUEST", i.uid) for i in first]
    for before, after in zip(first, updated, strict=True):
        assert after.sequence > before.sequence
    assert updated[0].event.decoded("DTSTART").date() == moved  # session 1, same UID
    assert audit.found == {}, "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())
