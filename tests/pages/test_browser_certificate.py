"""The certificate (intyg) in a real browser: the manage page offers it once a leader marked
the registrant present at every session, and axe-core finds nothing on either page, on screen
or as printed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from courses.services.attendance.attendees import Mark, set_attendance
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.staff.sign_in import actor_for_email
from tests.conftest import form
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.site import Site, running_site
from tests.pages.staff import COURSE_B, LEADER_B, add_staff

# The markup does not depend on the database; the other browser tests run on both.
pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

_TOKENS: dict[str, str] = {}


async def _present_every_day(ctx: ServiceContext) -> None:
    await add_staff(ctx)
    # Course B has one session; its leader marks the new registrant present at it.
    receipt = await register(ctx, COURSE_B, form(70, name="Karin Åberg", format="ljungby"))
    leader = await actor_for_email(ctx, LEADER_B)
    await set_attendance(ctx, leader, COURSE_B, [Mark(receipt.id, 1, True)])
    _TOKENS["present"] = receipt.token


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_present_every_day) as running:
        yield running


async def test_the_certificate_is_offered_and_has_no_accessibility_violations(
    page: Page, site: Site
) -> None:
    audit = Audit(page)
    token = _TOKENS["present"]

    await page.goto(f"/anmalan/{token}")
    await audit.check("the manage page offering the certificate")
    await page.get_by_role("link", name="intyg", exact=False).click()

    await expect(page).to_have_url(f"{site.url}/anmalan/{token}/intyg")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    await expect(page.locator("main")).to_contain_text("Karin Åberg")
    await expect(page.locator("main")).to_contain_text("Återfall och stöd")
    await audit.check("the certificate")
    await page.emulate_media(media="print")
    await audit.check("the certificate as printed")

    assert audit.found == {}, "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())
    assert len(audit.checked) == 3
