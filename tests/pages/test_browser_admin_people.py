"""Employers and staff in the browser: an admin adds an employer (a field error first), retires
it after a confirm step and brings it back; creates a token that is shown once and revokes it.
axe-core on each state; the retire step is done by keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab_to
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, add_staff
from tests.pages.test_browser_staff import sign_in

# The markup does not depend on the database; the services are tested on both.
pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=add_staff) as running:
        yield running


async def fits_a_phone(page: Page) -> None:
    """No sideways scrolling at the 360 px the tests' pages are opened at."""
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths


def report(audit: Audit) -> str:
    return "\n\n".join(f"{name}:\n{found}" for name, found in audit.found.items())


async def test_an_admin_adds_retires_and_brings_back_an_employer(page: Page, site: Site) -> None:
    audit = Audit(page)
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, site, ADMIN)
    await page.goto("/admin")
    await page.get_by_role("link", name="Hantera arbetsgivare").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Arbetsgivare")
    await audit.check("the employers")

    await page.get_by_label("Nyckel").fill("nybro")
    await page.get_by_label("Namn").fill("Nybro kommun")
    await page.get_by_label("Domäner för jobbmejl").fill("inte en domän")
    await page.get_by_role("button", name="Lägg till").click()
    await expect(page).to_have_title(re.compile(r"^Fel: Arbetsgivare"))
    await expect(page.locator("#domains-error")).to_be_visible()
    await expect(page.get_by_label("Nyckel")).to_have_value("nybro")
    await audit.check("adding an employer with a bad domain")
    await fits_a_phone(page)

    await page.get_by_label("Domäner för jobbmejl").fill("nybro.se")
    await page.get_by_role("button", name="Lägg till").click()
    await expect(page.get_by_role("status")).to_contain_text("Nybro kommun är tillagd")
    await page.get_by_role("link", name="Ändra Nybro kommun").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nybro kommun")
    await audit.check("an employer")

    await page.evaluate(REMEMBER)
    await tab_to(page, "retire-link", limit=40)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vill du inaktivera Nybro kommun?"
    )
    await audit.check("the confirm step of retiring")
    await page.evaluate(REMEMBER)
    await tab_to(page, "retire-button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Nybro kommun är inaktiverad")
    await expect(page.locator("#inaktiva ~ .table-wrap")).to_contain_text("Nybro kommun")
    await audit.check("the employers with a retired one")
    await fits_a_phone(page)

    await page.get_by_role("button", name="Aktivera igen Nybro kommun").click()
    await expect(page.get_by_role("status")).to_contain_text("Nybro kommun är aktiv igen")
    await expect(page.locator("#aktiva ~ .table-wrap")).to_contain_text("Nybro kommun")

    assert audit.found == {}, report(audit)
    assert len(audit.checked) == 5


async def test_an_admin_creates_a_token_sees_it_once_and_revokes_it(page: Page, site: Site) -> None:
    audit = Audit(page)
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, site, ADMIN)
    await page.goto("/admin")
    await page.get_by_role("link", name="Personal och tokens").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Personal och tokens")
    await audit.check("the staff page")

    await page.get_by_role("button", name="Skapa token").click()
    await expect(page.locator("#label-error")).to_be_visible()
    await audit.check("a token without a label")

    await page.get_by_label("Vad används den till?").fill("export")
    await page.get_by_role("button", name="Skapa token").click()
    token = await page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("crs_")
    await audit.check("a new token, shown once")
    await fits_a_phone(page)

    await page.goto("/admin/personal")
    assert token not in await page.content()
    await page.get_by_role("button", name="Återkalla token 1").click()
    await expect(page.get_by_role("status")).to_contain_text("Token 1 är återkallad")
    await expect(page.locator("#tokens ~ .table-wrap")).to_contain_text("Återkallad")
    await audit.check("a revoked token")
    await fits_a_phone(page)

    assert audit.found == {}, report(audit)
    assert len(audit.checked) == 4
