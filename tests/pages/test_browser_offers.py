"""Offers and hand-overs in chromium, each state made through the services on the site's clock:
a held offer accepted by keyboard alone, the seat then handed to a colleague (a wrong address
first, shown at its field), a lapsed offer, an open one and one gone to someone else. axe-core
finds nothing on any of them, and the offer page and the form fit a 360 px wide phone."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Page, expect

from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.settings import Settings
from courses.storage.db import Database
from tests.offer_support import add_offer_course
from tests.pages.axe import Audit
from tests.pages.conftest import BROWSER
from tests.pages.keyboard import REMEMBER, tab_to
from tests.pages.site import Site

pytestmark = BROWSER

PHONE = {"width": 360, "height": 740}


@pytest_asyncio.fixture(loop_scope="session")
async def services(site: Site, db_url: str) -> AsyncIterator[ServiceContext]:
    """The services over the site's database, on the site's clock."""
    db = Database.from_url(db_url)
    yield ServiceContext(
        db=db, clock=site.clock, settings=Settings(database_url=db_url, base_url=site.url)
    )
    await db.dispose()


async def _fits_a_phone(page: Page) -> bool:
    widths: list[int] = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return widths[0] <= widths[1]


async def _heading(page: Page, text: str) -> None:
    await expect(page.get_by_role("heading", level=1)).to_have_text(text)


async def test_a_held_offer_accepted_by_keyboard_then_handed_to_a_colleague(
    page: Page, site: Site, services: ServiceContext
) -> None:
    audit = Audit(page)
    course = await add_offer_course(services, site.clock)
    _, (token, _) = await course.held(waiting=2)

    await page.set_viewport_size(PHONE)
    await page.goto(f"/anmalan/{token}")
    await _heading(page, "En plats är reserverad åt dig")
    await audit.check("manage page, offered")
    await page.get_by_role("link", name="Svara på erbjudandet").click()
    await _heading(page, "En plats är reserverad åt dig")
    await audit.check("offer page, offered")
    offer_fits = await _fits_a_phone(page)
    assert (await site.api(f"/api/registrations/{token}"))["status"] == "offered"

    await page.evaluate(REMEMBER)
    await tab_to(page, "tacka-ja")
    await page.keyboard.press("Enter")

    await _heading(page, "Platsen är din")
    await audit.check("offer page, accepted")
    assert (await site.api(f"/api/registrations/{token}"))["status"] == "confirmed"

    await page.goto(f"/anmalan/{token}")
    await page.get_by_role("link", name="Lämna över platsen till en kollega").click()
    await _heading(page, "Lämna över din plats till en kollega")
    await page.get_by_label("Kollegans namn").fill("Kim Kollega")
    await page.get_by_label("Kollegans e-postadress i tjänsten").fill("kim@ljungby.se")
    await page.get_by_label("Kollegans arbetsplats").fill("Socialtjänsten")
    await page.get_by_label("Jag förstår att min plats går över till kollegan").check()
    await page.get_by_role("button", name="Lämna över platsen").click()

    await expect(page.locator("#email-error")).to_contain_text("kollega hos Växjö kommun")
    await expect(page).to_have_title(
        "Fel: Lämna över din plats på Återfallsprevention – Utbildningar inom missbruks- och "
        "beroendevård"
    )
    await audit.check("transfer form with an error")
    form_fits = await _fits_a_phone(page)
    await page.get_by_label("Kollegans e-postadress i tjänsten").fill("kim.kollega@vaxjo.se")
    await page.get_by_role("button", name="Lämna över platsen").click()

    await _heading(page, "Du har lämnat över din plats till Kim Kollega")
    await audit.check("manage page, transferred")
    assert (await site.api(f"/api/registrations/{token}"))["status"] == "transferred"
    assert offer_fits
    assert form_fits
    assert audit.found == {}


async def test_lapsed_open_and_gone_offers_say_where_the_registrant_stands(
    page: Page, site: Site, services: ServiceContext
) -> None:
    audit = Audit(page)
    later = await add_offer_course(services, site.clock, slug="erbjudande-senare", days_ahead=40)
    soon = await add_offer_course(services, site.clock, slug="erbjudande-snart", days_ahead=10)

    lapsed, _ = await later.lapsed()
    await page.set_viewport_size(PHONE)
    await page.goto(f"/anmalan/{lapsed}/erbjudande")
    await _heading(page, "Tiden gick ut")
    await expect(page.get_by_text("Du står på reservlistan, plats 1.")).to_be_visible()
    await audit.check("offer page, lapsed")
    await page.goto(f"/anmalan/{lapsed}")
    await audit.check("manage page, lapsed")

    first, second = await soon.opened()  # the clock moves to the course's last day
    await page.goto(f"/anmalan/{second}/erbjudande")
    await _heading(page, "En plats har blivit ledig")
    await audit.check("offer page, open")
    await answer_offer(services, first, accept=True)
    await page.goto(f"/anmalan/{second}/erbjudande")
    await _heading(page, "Platsen gick till någon annan")
    await audit.check("offer page, gone")
    await page.goto(f"/anmalan/{second}")
    await audit.check("manage page, gone")

    assert audit.found == {}
