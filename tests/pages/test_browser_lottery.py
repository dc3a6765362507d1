"""A lottery course in a real browser: the course page and the receipt say when the seats are
drawn, and axe-core finds nothing on them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from tests.mail.smtp_server import SmtpServer
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.forms import fill_registration, submit
from tests.pages.site import Site, running_site

pytestmark = [BROWSER, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

SLUG = "kbt-lottning"
LOTTERY = """
[[course]]
slug = "kbt-lottning"
title = "KBT i beroendevården"
deadline = 2027-02-01
seats = 10
allocation = "lottery"
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2027-02-20
"""


async def _add_lottery(ctx: ServiceContext) -> None:
    await import_schedule(ctx, parse_schedule(LOTTERY))


@pytest.fixture
def site(db_url: str, smtp: SmtpServer) -> Iterator[Site]:
    with running_site(db_url, smtp, more=_add_lottery) as running:
        yield running


async def test_applying_to_a_lottery_in_the_browser(page: Page, site: Site) -> None:
    audit = Audit(page)
    await page.goto("/")
    assert "Platserna lottas den 2 februari" in await page.content()
    await page.goto(f"/kurser/{SLUG}")
    assert "Platserna lottas den 2 februari" in await page.content()
    await audit.check("lottery course before the draw")
    await fill_registration(page)
    await submit(page)
    await page.wait_for_url("**/anmalan/*")
    heading = page.get_by_role("heading", level=1)
    assert await heading.inner_text() == "Ansökan mottagen – lottning den 2 februari"
    await audit.check("receipt of an application")
    mail = await site.mail_to("anna.andersson@vaxjo.se")
    assert str(mail["Subject"]) == "Ansökan mottagen: KBT i beroendevården"

    assert audit.found == {}, "\n\n".join(f"{k}:\n{v}" for k, v in audit.found.items())
