"""A person finds a course, registers, and reaches the same receipt page from the mail."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.mail import parse
from tests.pages.conftest import BROWSER
from tests.pages.forms import fill_registration, submit
from tests.pages.site import Site

pytestmark = BROWSER


async def test_person_finds_a_demo_course_registers_and_the_mail_links_to_the_receipt(
    page: Page, site: Site
) -> None:
    await page.goto("/")
    await page.get_by_role("link", name="DEMO – Återfallsprevention").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("DEMO – Återfallsprevention")
    await fill_registration(
        page, format="Digitalt", phone="0470-123 45", message="Vegetarisk lunch"
    )

    await submit(page)

    await expect(page).to_have_url(re.compile(r"/anmalan/[A-Za-z0-9_-]+$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Du är anmäld")
    await expect(page.get_by_text("Du har en plats på DEMO – Återfallsprevention.")).to_be_visible()
    await expect(page.get_by_role("link", name="Lägg till i kalendern")).to_be_visible()
    mail = await site.mail_to("anna.andersson@vaxjo.se")
    assert page.url in parse.text(mail)
    assert f'href="{page.url}"' in parse.html(mail)


async def test_a_wrong_domain_address_is_shown_next_to_the_email_field_with_the_values_kept(
    page: Page,
) -> None:
    await page.goto("/kurser/demo-hap-2022")
    await fill_registration(page, email="anna.andersson@gmail.com", format="På plats i Ljungby")

    await submit(page)

    await expect(page).to_have_title(re.compile(r"^Fel: DEMO – HAP"))
    email = page.get_by_label("E-postadress i tjänsten")
    await expect(page.locator("#email-error")).to_contain_text(
        "E-postadressen hör inte till Växjö kommun."
    )
    await expect(email).to_have_attribute("aria-describedby", re.compile(r"\bemail-error\b"))
    await expect(email).to_have_value("anna.andersson@gmail.com")
    await expect(page.get_by_label("Namn", exact=True)).to_have_value("Anna Andersson")
    await expect(page.get_by_label("Arbetsgivare")).to_have_value("vaxjo")
    await expect(page.get_by_label("Arbetsplats")).to_have_value("Beroendemottagningen")
    await expect(page.get_by_label("På plats i Ljungby")).to_be_checked()
    await expect(page.get_by_label("Jag arbetar med missbruks- och beroendevård")).to_be_checked()
    summary = page.locator(".error-summary")
    await expect(summary).to_be_focused()
    await summary.get_by_role("link").click()
    await expect(email).to_be_focused()
