"""Manager approval in chromium: a registrant registers on the course page, the manager opens
the link from the mail the SMTP server received and approves, and the registrant gets the
confirmation with the calendar invite; axe-core finds nothing on the approval page in each
state, which fits a 360 px wide phone."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from playwright.async_api import Page, expect

from courses.services.context import ServiceContext
from tests.approval_support import add_approval_course
from tests.mail.parse import calendar_part, text
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.forms import fill_registration, submit
from tests.pages.site import START, Site, running_site

pytestmark = BROWSER

SLUG = "chefskurs"
REGISTRANT = "anna.andersson@vaxjo.se"
MANAGER = "chef.chefsson@vaxjo.se"
_TODAY = START.date()
COURSE = f"""
[[course]]
slug = "{SLUG}"
title = "MI fördjupning för chefsgodkända"
deadline = {_TODAY + timedelta(days=30)}
seats = 2
approval = "manager"
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = {_TODAY + timedelta(days=40)}
start = 09:00:00
end = 16:00:00
"""


async def _add(ctx: ServiceContext) -> None:
    await add_approval_course(ctx, COURSE)


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_add) as running:
        yield running


async def _mails(site: Site, address: str, count: int) -> list[EmailMessage]:
    deadline = time.monotonic() + 10
    while len(found := site.smtp.to(address)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {count} mails to {address} within 10 s")
        await asyncio.sleep(0.05)
    return found


async def _fits_a_phone(page: Page) -> list[int]:
    width: list[int] = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return width


async def test_the_manager_approves_from_the_mailed_link(page: Page, site: Site) -> None:
    audit = Audit(page)
    await page.goto(f"/kurser/{SLUG}")
    await expect(page.get_by_text("Kräver chefens godkännande").first).to_be_visible()
    await fill_registration(page, email=REGISTRANT)
    await page.get_by_label("Din chefs e-postadress").fill(MANAGER)
    await submit(page)

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Väntar på chefens godkännande till och med 18 januari 2027"
    )
    await audit.check("receipt while pending")
    (waiting,) = await _mails(site, REGISTRANT, 1)
    assert "Din anmälan väntar på din chefs godkännande" in str(waiting["Subject"])
    assert calendar_part(waiting) is None
    (asked,) = await _mails(site, MANAGER, 1)
    link = re.search(r"https?://[^\s]+/godkann/[\w-]+", text(asked))
    assert link, text(asked)
    assert "/anmalan/" not in text(asked)  # the registrant's own link stays theirs

    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(link[0])
    await page.goto(link[0])  # opened twice (a mail scanner first): nothing answered yet
    await expect(page.get_by_role("heading", level=1)).to_have_text("Godkänn anmälan")
    await expect(page.get_by_text("Anna Andersson").first).to_be_visible()
    await audit.check("approval page, open")
    open_width = await _fits_a_phone(page)
    await page.get_by_role("button", name="Godkänn").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Anmälan är godkänd")
    await audit.check("approval page, approved")
    approved_width = await _fits_a_phone(page)
    mails = await _mails(site, REGISTRANT, 2)
    confirmation = mails[1]
    assert "Din chef har godkänt din anmälan" in str(confirmation["Subject"])
    invite = calendar_part(confirmation)
    assert invite is not None
    assert "METHOD:REQUEST" in invite.get_content()
    status = await site.api("/api/registrations/" + _token(text(waiting)))
    assert status["status"] == "confirmed"

    assert open_width[0] <= open_width[1]
    assert approved_width[0] <= approved_width[1]
    assert audit.found == {}


async def test_the_approval_page_after_a_decline_and_an_unknown_link_pass_axe(
    page: Page, site: Site
) -> None:
    audit = Audit(page)
    await site.register(SLUG, "b", manager_email=MANAGER)
    (asked,) = await _mails(site, MANAGER, 1)
    link = re.search(r"https?://[^\s]+/godkann/[\w-]+", text(asked))
    assert link

    await page.set_viewport_size({"width": 360, "height": 740})
    await page.goto(link[0])
    await page.get_by_role("button", name="Avslå").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Anmälan är inte längre aktuell"
    )
    await audit.check("approval page, declined")
    declined_width = await _fits_a_phone(page)
    await page.goto("/godkann/okand-lank")
    await audit.check("approval page, unknown link")

    assert declined_width[0] <= declined_width[1]
    assert audit.found == {}


def _token(body: str) -> str:
    found = re.search(r"/anmalan/([\w-]+)", body)
    assert found, body
    return found[1]
