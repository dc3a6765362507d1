"""The sign-in settings on `/admin/personal` in a real browser: readable on a phone (the long
issuer and redirect URI wrap), and without accessibility faults."""

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
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, add_staff
from tests.pages.test_browser_admin_people import fits_a_phone, report
from tests.pages.test_browser_staff import sign_in
from tests.services.admin_support import SEED_ORGANIZER

pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

PROVIDER = f"""
[organizer]
key = "{SEED_ORGANIZER}"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"

[organizer.oidc]
issuer = "https://login.microsoftonline.com/3f1c8a52-6a4e-4b7e-9d0c-1f2e3d4c5b6a/v2.0"
client_id = "0b6f1d2e-3c4a-5b6c-7d8e-9f0a1b2c3d4e"
name = "Region Kronoberg"
domains = ["kronoberg.se"]
"""


async def _with_provider(ctx: ServiceContext) -> None:
    await add_staff(ctx)
    await import_schedule(ctx, parse_schedule(PROVIDER))


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_with_provider) as running:
        yield running


async def test_an_admin_reads_the_providers_settings_on_a_phone(page: Page, site: Site) -> None:
    audit = Audit(page)
    await page.set_viewport_size({"width": 360, "height": 740})
    await sign_in(page, site, ADMIN)
    await page.goto("/admin/personal")
    section = page.locator("section", has=page.get_by_role("heading", name="Inloggning"))

    await expect(section).to_contain_text("Logga in med Region Kronoberg")
    await expect(section).to_contain_text(f"/logga-in/oidc/{SEED_ORGANIZER}")
    await expect(section).to_contain_text("COURSES_OIDC_SECRET_KRONOBERG_BEROENDE")
    await audit.check("the sign-in settings")
    await fits_a_phone(page)
    assert audit.found == {}, report(audit)
