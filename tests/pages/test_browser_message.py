"""A leader writes to their course's people in chromium, by keyboard alone: the form, its
errors, the preview with the count, the send; axe-core on every state, the mails read back from
the SMTP server, and the page at 360 px wide without sideways scrolling."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from tests.mail.parse import html, text
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab, tab_to
from tests.pages.site import Site, running_site
from tests.pages.staff import COURSE_A, LEADER_A, add_staff
from tests.pages.test_browser_staff import sign_in
from tests.pages.test_browser_staff_accessibility import report

pytestmark = BROWSER

SUBJECT = "Ny sal på kursdag 2"
LINES = ["Hej alla!", "", "Vi ses i sal 3 <längst in> & fikar efteråt."]


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=add_staff) as running:
        yield running


async def _fits(page: Page) -> bool:
    width = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(width[0] <= width[1])


async def _press(page: Page, label: str) -> None:
    """Tab to the button that says `label` and press it with Enter."""
    for _ in range(40):
        focused = await tab(page)
        if (focused["tag"], focused["text"]) == ("BUTTON", label):
            await page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached the button {label!r}")


async def _mails(site: Site, count: int) -> None:
    deadline = time.monotonic() + 15
    while len([m for m in site.smtp.messages if str(m["Subject"]) == SUBJECT]) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {count} messages arrived within 15 s")
        await asyncio.sleep(0.1)


async def test_a_leader_writes_previews_and_sends_by_keyboard(page: Page, site: Site) -> None:
    await page.set_viewport_size({"width": 360, "height": 740})
    audit = Audit(page)
    await sign_in(page, site, LEADER_A)
    await page.goto(f"/kursledare/{COURSE_A}")
    await page.get_by_role("link", name="Skriv till deltagarna").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Skriv till deltagarna")
    await audit.check("the message form")

    # Nothing typed: the errors, with the summary focused.
    await page.evaluate(REMEMBER)
    await _press(page, "Förhandsgranska")
    await expect(page).to_have_title(re.compile(r"^Fel: Skriv till deltagarna: Samtal om spel – "))
    await expect(page.locator(".error-summary")).to_be_focused()
    await expect(page.locator("#subject-error")).to_contain_text("Skriv en ämnesrad.")
    await audit.check("the message form with errors")
    assert await _fits(page)

    # Type it by keyboard: the group by arrow keys, the session, subject and text.
    await page.evaluate(REMEMBER)
    await tab_to(page, "to")
    await page.keyboard.press("ArrowDown")  # the confirmed
    await page.keyboard.press("ArrowDown")  # the waitlist
    await page.keyboard.press("ArrowDown")  # one session's people
    await tab_to(page, "session")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("ArrowDown")  # Kursdag 2
    await tab_to(page, "subject")
    await page.keyboard.type(SUBJECT)
    await tab_to(page, "text")
    for n, line in enumerate(LINES):
        await page.keyboard.type(line)
        if n < len(LINES) - 1:
            await page.keyboard.press("Enter")
    await page.evaluate(REMEMBER)
    await _press(page, "Förhandsgranska")

    await expect(page.get_by_role("heading", level=1)).to_have_text("Förhandsgranska meddelandet")
    await expect(page.locator("#mottagare")).to_contain_text("2 personer")
    await expect(page.locator(".message-preview")).to_contain_text(LINES[2])
    await expect(page.locator(".message-preview")).to_contain_text("Ett meddelande om kursdag 2")
    await audit.check("the preview")
    assert await _fits(page)
    assert site.smtp.messages == [] or all(str(m["Subject"]) != SUBJECT for m in site.smtp.messages)

    await page.evaluate(REMEMBER)
    await _press(page, "Skicka till 2 personer")
    await expect(page.get_by_role("status")).to_have_text(
        "Meddelandet är skickat till 2 personer. Mejlen går ut inom några minuter."
    )
    await audit.check("the form after sending")
    assert audit.found == {}, report(audit)
    assert len(audit.checked) == 4

    await _mails(site, 2)
    received = {str(m["To"]): m for m in site.smtp.messages if str(m["Subject"]) == SUBJECT}
    assert len(received) == 2
    for message in received.values():
        assert "Vi ses i sal 3 <längst in> & fikar efteråt." in text(message)
        assert "Vi ses i sal 3 &lt;längst in&gt; &amp; fikar efteråt." in html(message)
        assert "/anmalan/" in text(message)
