"""`/admin/nytt-ar` and `/admin/kurser/{slug}/kopiera` through the test client: the choice,
the preview (nothing written), creating the drafts, errors next to their fields, and who may."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.storage.courses import slugs_in_use
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, COURSE_A, LEADER_A, add_staff, sign_in
from tests.services.admin_support import OTHER_COURSE, add_other_organizer

Client = AsyncTestClient[Any]

ASI = "asi-grund-2022"
LVM = "lvm-forelasning-2022"


@pytest.fixture
async def staff(seeded: ServiceContext) -> ServiceContext:
    await add_staff(seeded)
    return seeded


@pytest.fixture
async def client(staff: ServiceContext, clock: FixedClock) -> Any:
    app = create_app(staff.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


@pytest.fixture
async def admin(client: Client, staff: ServiceContext) -> Client:
    await sign_in(client, staff, ADMIN)
    return client


async def slugs_of(ctx: ServiceContext) -> set[str]:
    async with ctx.db.read() as conn:
        return await slugs_in_use(conn)


async def preview(client: Client, courses: list[str], weeks: str = "52") -> Any:
    token = await csrf_token(client, "/admin/nytt-ar")
    fields: dict[str, Any] = {"_csrf_token": token, "kurser": courses, "veckor": weeks}
    return await client.post("/admin/nytt-ar", data=fields)


def checked(page: str) -> list[str]:
    return re.findall(r'name="kurser" value="([^"]+)" checked', page)


async def test_this_years_courses_are_picked_to_begin_with(admin: Client) -> None:
    page = await admin.get("/admin/nytt-ar")

    assert page.status_code == 200
    assert "<h1>Nytt år</h1>" in page.text
    assert ASI in checked(page.text)  # first session 14 September 2022, the clock's year
    assert 'id="veckor" name="veckor" type="text" inputmode="numeric" value="52"' in page.text
    assert 'action="/admin/nytt-ar"' in page.text


async def test_the_preview_shows_next_years_copies_and_writes_nothing(
    admin: Client, staff: ServiceContext
) -> None:
    before = await slugs_of(staff)

    page = await preview(admin, [ASI, LVM])

    assert page.status_code == 200, page.text
    assert "<code>asi-grund-2022</code> blir <code>asi-grund-2023</code>" in page.text
    assert "onsdag 13 september 2023 (heldag)" in page.text
    assert "Sista anmälningsdag</dt><dd>31 augusti 2023" in page.text
    assert set(checked(page.text)) == {ASI, LVM}
    assert 'action="/admin/nytt-ar/skapa"' in page.text
    assert await slugs_of(staff) == before


async def test_a_session_on_a_holiday_is_named(admin: Client) -> None:
    # 90 weeks on, ASI grundutbildning's second day is 6 June 2024, Nationaldagen.
    page = await preview(admin, [ASI], weeks="90")

    assert page.status_code == 200, page.text
    assert (
        'torsdag 6 juni 2024 (heldag) <strong class="tag tag--holiday">Nationaldagen</strong>'
        in page.text
    )
    assert "1 kursdag infaller på en helgdag" in page.text


async def test_creating_redirects_to_a_page_that_links_each_draft(
    admin: Client, staff: ServiceContext
) -> None:
    shown = await preview(admin, [ASI])
    token = re.findall(r'name="_csrf_token" value="([^"]+)"', shown.text)[-1]

    created = await admin.post(
        "/admin/nytt-ar/skapa",
        data={"_csrf_token": token, "kurser": [ASI], "veckor": "52"},
        follow_redirects=False,
    )

    assert created.status_code == 303
    assert created.headers["location"] == "/admin/nytt-ar?skapade=asi-grund-2023"
    assert "asi-grund-2023" in await slugs_of(staff)
    page = await admin.get(created.headers["location"])
    assert "Utkastet är skapat" in page.text
    assert '<a href="/admin/kurser/asi-grund-2023">ASI grundutbildning</a>' in page.text
    again = await admin.get(created.headers["location"])  # a reload creates nothing more
    assert again.status_code == 200
    assert "asi-grund-2023-2" not in await slugs_of(staff)


async def test_errors_stand_next_to_their_fields_with_what_was_typed(admin: Client) -> None:
    none = await preview(admin, [], weeks="52")
    words = await preview(admin, [ASI], weeks="femtiotvå")
    too_far = await preview(admin, [ASI], weeks="200")

    for page in (none, words, too_far):
        assert page.status_code == 400
        assert "<title>Fel: Nytt år" in page.text
        assert 'class="error-summary"' in page.text
    assert '<a href="#kurser">Välj minst en kurs att kopiera.</a>' in none.text
    assert checked(none.text) == []
    assert (
        '<a href="#veckor">Ange antalet veckor som ett heltal, till exempel 52.</a>' in words.text
    )
    assert 'value="femtiotvå"' in words.text
    assert "Ange ett antal veckor mellan 1 och 104." in too_far.text
    assert 'id="veckor-error"' in too_far.text


async def test_a_leader_may_not_open_the_pages(client: Client, staff: ServiceContext) -> None:
    await sign_in(client, staff, LEADER_A)

    roll = await client.get("/admin/nytt-ar")
    copy = await client.get(f"/admin/kurser/{COURSE_A}/kopiera")

    assert roll.status_code == copy.status_code == 403


async def test_another_organizers_course_is_not_found(admin: Client, staff: ServiceContext) -> None:
    await add_other_organizer(staff)

    page = await admin.get(f"/admin/kurser/{OTHER_COURSE}/kopiera")
    missing = await admin.get("/admin/kurser/finns-inte/kopiera")

    assert page.status_code == missing.status_code == 404


async def test_a_course_is_copied_to_a_new_first_day(admin: Client, staff: ServiceContext) -> None:
    path = f"/admin/kurser/{ASI}/kopiera"
    assert (
        f'<a href="{path}">Kopiera ASI grundutbildning till nya datum</a>'
        in (await admin.get("/admin")).text
    )
    form = await admin.get(path)
    assert form.status_code == 200
    assert "<h1>Kopiera ASI grundutbildning</h1>" in form.text
    token = await csrf_token(admin, path)

    shown = await admin.post(path, data={"_csrf_token": token, "forsta_dag": "2022-10-03"})
    created = await admin.post(
        f"{path}/skapa",
        data={"_csrf_token": token, "forsta_dag": "2022-10-03", "veckor": ""},
        follow_redirects=False,
    )

    assert shown.status_code == 200, shown.text
    assert "<code>asi-grund-2022</code> blir <code>asi-grund-2022-2</code>" in shown.text
    assert "måndag 3 oktober 2022 (heldag)" in shown.text
    assert created.status_code == 303
    assert created.headers["location"] == f"{path}?skapad=asi-grund-2022-2"
    done = await admin.get(created.headers["location"])
    assert "Kopian är skapad" in done.text
    assert '<a href="/admin/kurser/asi-grund-2022-2">' in done.text


async def test_a_copy_form_with_a_bad_day_keeps_what_was_typed(admin: Client) -> None:
    path = f"/admin/kurser/{ASI}/kopiera"
    token = await csrf_token(admin, path)

    bad = await admin.post(path, data={"_csrf_token": token, "forsta_dag": "3 okt"})
    past = await admin.post(path, data={"_csrf_token": token, "forsta_dag": "2022-01-03"})
    empty = await admin.post(path, data={"_csrf_token": token, "forsta_dag": "", "veckor": ""})

    assert bad.status_code == past.status_code == empty.status_code == 400
    assert 'value="3 okt"' in bad.text
    assert '<a href="#forsta_dag">Skriv datumet som år-månad-dag' in bad.text
    assert "kan inte vara före i dag (1 mars 2022)" in past.text
    assert "Ange antingen en ny första kursdag eller ett antal veckor." in empty.text


async def test_a_post_without_the_form_token_is_refused(
    admin: Client, staff: ServiceContext
) -> None:
    answer = await admin.post("/admin/nytt-ar/skapa", data={"kurser": [ASI], "veckor": "52"})

    assert answer.status_code == 403
    assert "asi-grund-2023" not in await slugs_of(staff)


async def test_many_drafts_are_answered_in_the_page_when_their_address_would_be_too_long(
    admin: Client, staff: ServiceContext
) -> None:
    # Sixty courses with long slugs: their slugs would not fit in a URL (2 048 bytes).
    slugs = [
        f"en-kurs-med-ett-langt-namn-for-att-prova-adressens-langd-nummer-{n:02d}-2022"
        for n in range(60)
    ]
    file = "\n".join(
        f'[[course]]\nslug = "{slug}"\ntitle = "Kurs {n}"\ndeadline = 2022-05-01\n'
        '[[course.format]]\nkey = "digital"\nkind = "digital"\n'
        "[[course.session]]\ndate = 2022-05-10\n"
        for n, slug in enumerate(slugs)
    )
    await import_schedule(staff, parse_schedule(file))
    token = await csrf_token(admin, "/admin/nytt-ar")

    created = await admin.post(
        "/admin/nytt-ar/skapa",
        data={"_csrf_token": token, "kurser": slugs, "veckor": "52"},
        follow_redirects=False,
    )

    assert created.status_code == 200, created.text
    assert "Utkasten är skapade" in created.text
    assert created.text.count('<a href="/admin/kurser/en-kurs-med-ett-langt-namn') == 60
    assert slugs[0].replace("2022", "2023") in await slugs_of(staff)
