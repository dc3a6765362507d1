"""axe-core on every staff page, in every state a leader or an admin meets it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.approval_support import approval_form
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, COURSE_A, COURSE_B, LEADER_A, add_staff
from tests.pages.test_browser_staff import ask_for_link, mailed_link

# The markup does not depend on the database; the other browser tests run on both.
pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

BROKEN = b"""
[[course]]
slug = "trasig"
title = "Trasig"
deadline = 2027-05-01
[[course.session]]
date = 2027-05-10
start = 12:00:00
end = 09:00:00
"""

NEW_COURSE = """
[[course]]
slug = "ny-kurs"
title = "En ny kurs"
deadline = 2027-05-01
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2027-05-10
"""


# A fair-seat course and one whose manager approves, with a registration waiting for its
# manager: the statistics show the cap on the course's row and the pending column filled.
FAIR_AND_APPROVAL = """
[[course]]
slug = "rattvis-2027"
title = "Rättvis kurs"
deadline = 2027-03-01
share_until = 2027-02-20
seats = 3
per_employer = 1
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2027-03-10

[[course]]
slug = "chefskurs-2027"
title = "MI fördjupning"
deadline = 2027-03-01
seats = 2
approval = "manager"
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2027-03-10
"""
FAIR_SHARE = "Högst 1 plats per arbetsgivare till och med 20 februari"


async def _staff_and_more(ctx: ServiceContext) -> None:
    await add_staff(ctx)
    await import_schedule(ctx, parse_schedule(FAIR_AND_APPROVAL))
    await register(ctx, "chefskurs-2027", approval_form(1))


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_staff_and_more) as running:
        yield running


def report(audit: Audit) -> str:
    return "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())


async def test_the_sign_in_and_leader_pages_have_no_accessibility_violations(
    page: Page, site: Site
) -> None:
    audit = Audit(page)
    await page.goto("/logga-in")
    await audit.check("the sign-in form")
    await page.get_by_role("button", name="Skicka inloggningslänk").click()
    await audit.check("the sign-in form with an error")
    await ask_for_link(page, LEADER_A)
    await audit.check("the answer after asking for a link")
    link = await mailed_link(site, LEADER_A)
    await page.goto(link)
    await audit.check("the sign-in link's page")
    await page.get_by_role("button", name="Logga in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mina kurser")
    await audit.check("a leader's courses")
    await page.goto(link)
    await audit.check("a used sign-in link")
    await page.goto(f"/kursledare/{COURSE_A}")
    await audit.check("a course's attendee list and attendance forms")
    await page.locator("#narvaro-2").get_by_label("Deltagare 2").check()
    await page.get_by_role("button", name="Spara närvaro för kursdag 2").click()
    await expect(page.get_by_role("status")).to_be_visible()
    await audit.check("a course after saving attendance")
    await page.goto(f"/kursledare/{COURSE_A}?antal=1&sida=2")
    await expect(page.get_by_role("navigation", name="Sidor i deltagarlistan")).to_be_visible()
    await audit.check("a course's attendee list a page at a time")
    await page.goto(f"/kursledare/{COURSE_A}/narvarolista")
    await audit.check("the attendance sheet")
    await page.emulate_media(media="print")
    await audit.check("the attendance sheet as printed")
    await page.emulate_media(media="screen")
    await page.goto(f"/kursledare/{COURSE_B}")
    await audit.check("another leader's course (404)")
    await page.goto("/admin")
    await audit.check("the admin page refused to a leader (403)")
    await page.get_by_role("link", name="Mina kurser").click()
    await page.get_by_role("button", name="Logga ut").click()
    await audit.check("signed out")

    assert audit.found == {}, report(audit)
    assert len(audit.checked) == 14


async def test_the_admin_pages_have_no_accessibility_violations(page: Page, site: Site) -> None:
    audit = Audit(page)
    await page.goto("/logga-in")
    await ask_for_link(page, ADMIN)
    await page.goto(await mailed_link(site, ADMIN))
    await page.get_by_role("button", name="Logga in").click()
    await page.goto("/admin")
    await expect(page.locator("#statistik ~ .table-wrap").first).to_contain_text(FAIR_SHARE)
    await audit.check("the admin page")
    await page.get_by_label("Schemafil").set_input_files(
        files=[{"name": "trasig.toml", "mimeType": "text/plain", "buffer": BROKEN}]
    )
    await page.get_by_role("button", name="Visa vad som ändras").click()
    await expect(page.locator(".error-summary")).to_be_visible()
    await audit.check("the admin page with errors in the file")
    await page.get_by_label("Eller klistra in schemat").fill(NEW_COURSE)
    await page.get_by_role("button", name="Visa vad som ändras").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Så här ändras schemat")
    await audit.check("the dry run of an import")
    await page.get_by_role("button", name="Importera").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Schemat är importerat")
    await audit.check("the result of an import")
    await page.goto("/admin")
    await expect(page.locator("#logg ~ .table-wrap")).to_contain_text("Importerade")
    await audit.check("the admin page with the audit log")
    await page.goto("/admin?antal=2&sida=2")  # a page of each list, with links either way
    await expect(page.get_by_role("navigation", name="Sidor i kurslistan")).to_contain_text(
        "Visar 3–4 av"
    )
    await page.get_by_label("Läge").select_option(label="Öppen för anmälan")
    await page.get_by_role("button", name="Visa kurser").click()
    await expect(page.locator("#kurser ~ .result-count")).to_contain_text("med de valen")
    await audit.check("the admin page's lists a page at a time, filtered")

    assert audit.found == {}, report(audit)
    assert len(audit.checked) == 6
