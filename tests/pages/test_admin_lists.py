"""`/admin`'s lists a page at a time: the courses (by month and state), the unsent mail and the
log, each with its own GET parameter, links that work without JavaScript, and unreadable
parameters read as the first page of everything."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.pages.staff import ADMIN, add_staff, sign_in

Client = AsyncTestClient[Any]


@pytest.fixture
async def admin(seeded: ServiceContext, clock: FixedClock) -> Any:
    await add_staff(seeded)
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        await sign_in(client, seeded, ADMIN)
        yield client


def section(page: str, anchor: str) -> str:
    start = page.index(f'<h2 id="{anchor}">')
    return page[start : page.index("</section>", start)]


def titles(page: str) -> list[str]:
    return re.findall(r'<h3 class="course-card__title"><a href="/kursledare/([^"]+)"', page)


def link(part: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', part)
    return found[1].replace("&amp;", "&") if found else None


async def test_the_course_list_pages_on_with_its_links(admin: Client) -> None:
    seen: list[str] = []
    shown = []
    address: str | None = "/admin?antal=3"
    while address is not None:
        courses = section((await admin.get(address)).text, "kurser")
        seen += titles(courses)
        shown.append(re.search(r'class="pager__shown">([^<]+)<', courses)[1])  # type: ignore[index]
        address = link(courses, "next")

    assert len(seen) == len(set(seen)) == 7
    assert shown == ["Visar 1–3 av 7", "Visar 4–6 av 7", "Visar 7–7 av 7"]
    back = section((await admin.get("/admin?antal=3&sida=3")).text, "kurser")
    assert link(back, "prev") == "/admin?antal=3&sida=2#kurser"
    assert link(back, "next") is None


async def test_month_and_state_narrow_the_course_list(admin: Client) -> None:
    november = section((await admin.get("/admin?manad=2022-11&lage=open")).text, "kurser")
    drafts = section((await admin.get("/admin?lage=draft")).text, "kurser")

    assert titles(november) == ["asi-grund-2022", "hap-2022"]
    assert "2 kurser med de valen." in november
    assert '<option value="2022-11" selected>November 2022</option>' in november
    assert "Ingen kurs stämmer med de valen." in drafts


async def test_unreadable_paging_and_filters_show_the_first_page_of_all(admin: Client) -> None:
    response = await admin.get("/admin?sida=x&manad=2022-13&lage=full&antal=-1&loggsida=99999")

    assert response.status_code == 200
    assert len(titles(section(response.text, "kurser"))) == 7
    assert "med de valen" not in response.text


async def test_the_log_and_the_mail_page_on_their_own(admin: Client) -> None:
    first = (await admin.get("/admin?antal=1")).text
    older = link(section(first, "logg"), "next")
    assert older == "/admin?antal=1&loggsida=2#logg"
    second = (await admin.get(older)).text

    assert section(first, "logg") != section(second, "logg")
    assert titles(section(second, "kurser")) == titles(section(first, "kurser"))
    mail = section(first, "mejl")
    assert re.search(r'class="pager__shown">Visar 1–1 av \d+<', mail)
    assert link(mail, "next") == "/admin?antal=1&mejlsida=2#mejl"
