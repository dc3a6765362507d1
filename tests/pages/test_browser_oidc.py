"""Staff sign-in at the organizer's OpenID provider in chromium: an admin presses "Logga in med
…", signs in at a real provider (node-oidc-provider's development login), lands on the staff
start page, and signs out again, at the provider too; axe finds nothing on our pages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import text

from courses.storage.db import Database
from tests.mail.smtp_server import SmtpServer
from tests.oidc_support import OidcProvider, run_provider
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.site import Site, running_site
from tests.pages.staff import ADMIN, add_staff

pytestmark = BROWSER

ORGANIZER = "kronoberg-beroende"


async def _configure(db_url: str, settings: dict[str, object]) -> None:
    db = Database.from_url(db_url)
    try:
        async with db.write() as conn:
            await conn.execute(
                text("UPDATE organizer SET oidc = :oidc WHERE key = :key"),
                {"oidc": json.dumps(settings), "key": ORGANIZER},
            )
    finally:
        await db.dispose()


@pytest.fixture
def oidc_site(
    db_url: str, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Site, OidcProvider]]:
    """The staff site with the seeds' organizer signing in at a real provider."""
    with running_site(db_url, smtp, more=add_staff) as site:
        for provider in run_provider(
            tmp_path,
            redirect_uris=[f"{site.url}/logga-in/oidc/{ORGANIZER}"],
            post_logout_redirect_uris=[f"{site.url}/logga-in?utloggad=ja"],
            accounts={"admin": {"email": ADMIN, "email_verified": True}},
        ):
            settings = provider.settings(name="Region Kronoberg", domains=["kronoberg.se"])
            asyncio.run(_configure(db_url, settings))
            monkeypatch.setenv("COURSES_OIDC_SECRET_KRONOBERG_BEROENDE", provider.client_secret)
            yield site, provider


@pytest.fixture
def site(oidc_site: tuple[Site, OidcProvider]) -> Site:
    return oidc_site[0]


async def test_an_admin_signs_in_at_the_provider_and_out_again(
    page: Page, oidc_site: tuple[Site, OidcProvider]
) -> None:
    site, provider = oidc_site
    audit = Audit(page)
    await page.goto("/logga-in")
    await audit.check("sign-in page with a provider")
    await page.get_by_role("button", name="Logga in med Region Kronoberg").click()

    await page.wait_for_url(f"{provider.issuer}/interaction/**")
    await page.locator("input[name=login]").fill("admin")
    await page.locator("input[name=password]").fill("vilket-som-helst")
    await page.get_by_role("button", name="Sign-in").click()
    await page.get_by_role("button", name="Continue").click()

    await page.wait_for_url(f"{site.url}/kursledare")
    await expect(page.get_by_text(f"Inloggad som {ADMIN}")).to_be_visible()
    await audit.check("staff start page after the provider")

    await page.get_by_role("button", name="Logga ut").click()
    await page.wait_for_url(f"{provider.issuer}/session/end**")
    await page.locator("button[autofocus], button[type=submit]").first.click()
    await page.wait_for_url(f"{site.url}/logga-in?utloggad=ja")
    await expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    await audit.check("signed out")
    await page.goto("/admin")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert not audit.found, audit.found
