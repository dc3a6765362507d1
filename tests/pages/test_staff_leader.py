"""`/kursledare` through the test client: a leader's courses, the attendee list, attendance and
the attendance sheet; and what another leader's course and a missing sign-in answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, COURSE_A, COURSE_B, LEADER_A, LEADER_B, add_staff, sign_in

Client = AsyncTestClient[Any]


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
async def leader_a(client: Client, staff: ServiceContext) -> Client:
    await sign_in(client, staff, LEADER_A)
    return client


def registration_ids(page: str, session: int) -> dict[str, int]:
    """Name -> registration id, from the attendance form of one session."""
    found = re.findall(
        rf'id="narvaro-{session}-(\d+)" name="narvarande" value="\d+"[^>]*>\s*'
        rf'<label class="checkbox__label" for="narvaro-{session}-\d+">([^<]+)</label>',
        page,
    )
    return {name: int(number) for number, name in found}


async def mark(client: Client, session: int, listed: list[int], present: list[int]) -> Any:
    token = await csrf_token(client, f"/kursledare/{COURSE_A}")
    fields = [("_csrf_token", token), ("kursdag", str(session))]
    fields += [("deltagare", str(n)) for n in listed]
    fields += [("narvarande", str(n)) for n in present]
    return await client.post(
        f"/kursledare/{COURSE_A}/narvaro",
        content="&".join(f"{k}={v}" for k, v in fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


@pytest.mark.parametrize("path", ["/kursledare", f"/kursledare/{COURSE_A}", "/admin"])
async def test_without_a_sign_in_a_staff_page_sends_the_browser_to_the_sign_in(
    client: Client, path: str
) -> None:
    response = await client.get(path, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/logga-in?till=%2F")


async def test_a_leader_sees_their_own_courses_only(leader_a: Client) -> None:
    page = await leader_a.get("/kursledare")

    assert page.status_code == 200
    assert f'href="/kursledare/{COURSE_A}"' in page.text
    assert f"/kursledare/{COURSE_B}" not in page.text
    assert "Inloggad som anna.ledare@kronoberg.se" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_the_course_page_lists_every_attendee_with_the_exports(leader_a: Client) -> None:
    page = await leader_a.get(f"/kursledare/{COURSE_A}")

    assert page.status_code == 200
    for text in [
        "Samtal om spel",
        "Deltagare 1",
        "deltagare1@vaxjo.se",
        "Växjö kommun",
        "Beroendemottagningen",
        "Digitalt",
        "På plats, Växjö",
        "Bekräftad",
        "Reservlista",
        "1 mars 2022 kl. 10.00",
        f'href="/api/courses/{COURSE_A}/attendees.csv"',
        f'href="/api/courses/{COURSE_A}/attendees.xlsx"',
        f'href="/kursledare/{COURSE_A}/narvarolista"',
    ]:
        assert text in page.text, text
    # The attendance forms list the confirmed only: two seats, the third waits.
    assert set(registration_ids(page.text, 1)) == {"Deltagare 1", "Deltagare 2"}


async def test_another_leaders_course_answers_exactly_like_a_missing_one(
    leader_a: Client,
) -> None:
    other = await leader_a.get(f"/kursledare/{COURSE_B}")
    missing = await leader_a.get("/kursledare/finns-inte")
    other_sheet = await leader_a.get(f"/kursledare/{COURSE_B}/narvarolista")

    assert other.status_code == missing.status_code == other_sheet.status_code == 404
    assert other.text == missing.text == other_sheet.text
    assert "Återfall och stöd" not in other.text


async def test_another_leader_cannot_mark_attendance_on_a_course(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_B)
    token = await csrf_token(client, "/kursledare")

    answer = await client.post(
        f"/kursledare/{COURSE_A}/narvaro",
        data={"_csrf_token": token, "kursdag": "1", "deltagare": "1", "narvarande": "1"},
        follow_redirects=False,
    )

    assert answer.status_code == 404


async def test_marking_attendance_saves_it_and_says_so(leader_a: Client) -> None:
    ids = registration_ids((await leader_a.get(f"/kursledare/{COURSE_A}")).text, 2)
    one, two = ids["Deltagare 1"], ids["Deltagare 2"]

    saved = await mark(leader_a, 2, [one, two], [one])

    assert saved.status_code == 303
    assert saved.headers["location"] == f"/kursledare/{COURSE_A}?sparat=2#narvaro-2"
    page = (await leader_a.get(saved.headers["location"])).text
    assert "Närvaron för kursdag 2 är sparad." in page
    assert f'id="narvaro-2-{one}" name="narvarande" value="{one}" checked' in page
    assert f'id="narvaro-2-{two}" name="narvarande" value="{two}">' in page
    assert f'id="narvaro-1-{one}" name="narvarande" value="{one}">' in page  # day 1 untouched


async def test_marking_attendance_without_the_csrf_token_is_refused(leader_a: Client) -> None:
    ids = registration_ids((await leader_a.get(f"/kursledare/{COURSE_A}")).text, 1)

    forged = await leader_a.post(
        f"/kursledare/{COURSE_A}/narvaro",
        data={"kursdag": "1", "deltagare": str(ids["Deltagare 1"])},
        follow_redirects=False,
    )

    assert forged.status_code == 403
    page = (await leader_a.get(f"/kursledare/{COURSE_A}")).text
    assert "Ingen närvaro är sparad för den här dagen än." in page


async def test_marking_someone_who_is_not_confirmed_saves_nothing_and_says_why(
    leader_a: Client,
) -> None:
    page = (await leader_a.get(f"/kursledare/{COURSE_A}")).text
    ids = registration_ids(page, 1)
    waiting = max(ids.values()) + 1  # Deltagare 3, on the waitlist

    refused = await mark(leader_a, 1, [*ids.values(), waiting], [*ids.values(), waiting])

    assert refused.status_code == 409
    assert "Bara bekräftade deltagare i kursen kan få närvaro." in refused.text
    assert "Inget sparades." in refused.text
    assert "Ingen närvaro är sparad för den här dagen än." in refused.text


async def test_a_malformed_attendance_form_is_a_400_page(leader_a: Client) -> None:
    answer = await mark(leader_a, 1, [], [])

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("number", [2**31, 2**63])
async def test_an_attendance_form_with_an_id_past_the_column_is_a_400_page(
    leader_a: Client, number: int
) -> None:
    answer = await mark(leader_a, 1, [number], [number])

    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")


async def test_the_attendance_sheet_has_a_section_per_session_with_a_signature_column(
    leader_a: Client,
) -> None:
    sheet = await leader_a.get(f"/kursledare/{COURSE_A}/narvarolista")
    one_day = await leader_a.get(f"/kursledare/{COURSE_A}/narvarolista?kursdag=2")
    no_day = await leader_a.get(f"/kursledare/{COURSE_A}/narvarolista?kursdag=7")

    assert sheet.status_code == one_day.status_code == 200
    assert sheet.text.count('<section class="sheet"') == 2
    assert one_day.text.count('<section class="sheet"') == 1
    assert "Kursdag 2: onsdag 27 april 2022, heldag" in one_day.text
    assert "Underskrift" in sheet.text
    assert "Deltagare 1" in sheet.text
    assert "Deltagare 3" not in sheet.text  # waiting, not coming
    assert no_day.status_code == 404


async def test_an_admin_sees_every_course_of_their_organizer(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)

    courses = await client.get("/kursledare")
    other = await client.get(f"/kursledare/{COURSE_B}")

    assert f'href="/kursledare/{COURSE_A}"' in courses.text
    assert f'href="/kursledare/{COURSE_B}"' in courses.text
    assert other.status_code == 200
    assert 'href="/admin"' in courses.text
