"""Acting for someone and cancelling with a reason, in chromium, with axe on every state: an
admin cancels a session with a reason (the mail and the CANCEL read back from the SMTP server),
a leader registers someone who phoned, an admin moves a person to another format."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from playwright.async_api import Page, expect

from tests.mail import parse
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, COURSE_A, LEADER_A, add_staff
from tests.pages.test_browser_staff import sign_in

pytestmark = BROWSER

ME = "deltagare1@vaxjo.se"  # confirmed on course A, digital


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=add_staff) as running:
        yield running


async def mail_saying(site: Site, address: str, words: str) -> EmailMessage:
    """The first mail to `address` whose text has `words`, waiting up to 10 s for the worker."""
    deadline = time.monotonic() + 10
    while True:
        found = [m for m in site.smtp.to(address) if words in parse.text(m)]
        if found:
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {address} saying {words!r} within 10 s")
        await asyncio.sleep(0.05)


async def fits_a_phone(page: Page) -> None:
    await page.set_viewport_size({"width": 360, "height": 740})
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
    await page.set_viewport_size({"width": 1280, "height": 800})


def report(audit: Audit) -> str:
    return "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())


async def test_an_admin_cancels_a_session_with_a_reason_the_registrants_read(
    page: Page, site: Site
) -> None:
    audit = Audit(page)
    await sign_in(page, site, ADMIN)
    await page.goto(f"/kursledare/{COURSE_A}")
    await page.get_by_role("link", name="Ställ in kursdag 2").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ställ in kursdag 2 i Samtal om spel"
    )
    await expect(page.get_by_text("2 deltagare med plats får ett mejl")).to_be_visible()
    await audit.check("the cancel page, asking")
    await fits_a_phone(page)

    await page.get_by_role("button", name="Ställ in kursdag 2").click()
    await expect(page).to_have_title(re.compile(r"^Fel: Ställ in kursdag 2 i Samtal om spel"))
    await expect(page.locator(".error-summary")).to_be_focused()
    await audit.check("the cancel page without a reason")
    await page.get_by_role("link", name="Skriv varför").click()
    await expect(page.get_by_label("Anledning")).to_be_focused()
    await page.get_by_label("Anledning").fill("Lokalen är upptagen.\nVi ses kursdag 1.")
    await page.get_by_role("button", name="Ställ in kursdag 2").click()

    await expect(page.get_by_role("status")).to_contain_text("Kursdagen är inställd.")
    await audit.check("the course's page after cancelling a session")
    mail = await mail_saying(site, ME, "Lokalen är upptagen.")
    assert "Vi ses kursdag 1." in parse.text(mail)
    cancels = [
        parse.event(m)
        for m in site.smtp.to(ME)
        if (part := parse.calendar_part(m)) is not None and part.get_param("method") == "CANCEL"
    ]
    first = [parse.event(m) for m in site.smtp.to(ME)[:2] if parse.calendar_part(m) is not None]
    assert [str(e["UID"]) for e in cancels] == [str(first[1]["UID"])]
    assert int(cancels[0].decoded("SEQUENCE")) > int(first[1].decoded("SEQUENCE"))
    assert audit.found == {}, report(audit)


async def test_a_leader_registers_someone_who_phoned(page: Page, site: Site) -> None:
    audit = Audit(page)
    await sign_in(page, site, LEADER_A)
    await page.goto(f"/kursledare/{COURSE_A}")
    await page.get_by_role("link", name="Anmäl någon").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Anmäl någon till Samtal om spel"
    )
    await audit.check("the form to register someone")
    await fits_a_phone(page)

    await page.get_by_label("Namn").fill("Kim Telefon")
    await page.get_by_label("E-postadress i tjänsten").fill("kim.telefon@vaxjo.se")
    await page.get_by_label("Arbetsgivare").select_option(label="Växjö kommun")
    await page.get_by_label("Arbetsplats").fill("Beroendemottagningen")
    await page.get_by_label("På plats, Växjö").check()
    await page.get_by_role("button", name="Anmäl personen").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await expect(page.get_by_label("Namn")).to_have_value("Kim Telefon")
    await audit.check("the form with an error")

    await page.get_by_label("Personen har bekräftat").check()
    await page.get_by_role("button", name="Anmäl personen").click()
    await expect(page.get_by_role("status")).to_contain_text("Anmälan är gjord.")
    await expect(page.get_by_role("row", name="Kim Telefon")).to_contain_text("Reservlista")
    await audit.check("the course's page after registering someone")
    await mail_saying(site, "kim.telefon@vaxjo.se", "reservlistan")
    assert audit.found == {}, report(audit)


async def test_an_admin_moves_someone_to_another_format(page: Page, site: Site) -> None:
    audit = Audit(page)
    await sign_in(page, site, ADMIN)
    await page.goto(f"/kursledare/{COURSE_A}")
    await audit.check("the course's page with the admins' actions")
    await page.get_by_role("link", name="Byt format för Deltagare 1").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Byt format för Deltagare 1")
    await audit.check("the page that asks for the new format")
    await fits_a_phone(page)

    await page.get_by_role("button", name="Byt format").click()
    await expect(page.locator(".error-summary")).to_contain_text("Välj ett av kursens format.")
    await audit.check("the format page without a choice")
    await page.get_by_label("På plats, Växjö").check()
    await page.get_by_role("button", name="Byt format").click()

    await expect(page.get_by_role("status")).to_contain_text("Personen har bytt format")
    await expect(page.get_by_role("row", name="Deltagare 1")).to_contain_text("På plats, Växjö")
    await audit.check("the course's page after the move")
    mail = await mail_saying(site, ME, "du deltar nu på plats (Växjö)")
    assert str(mail["Subject"]) == "Nytt sätt att delta: Samtal om spel"
    assert audit.found == {}, report(audit)
