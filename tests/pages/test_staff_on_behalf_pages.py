"""The staff's pages for acting on someone's behalf and cancelling with a reason, through the
test client: registering someone who phoned (leaders and admins), an admin's cancel, promote
and format move on a person, and cancelling a course or a session. A GET asks and changes
nothing; errors stay on the page with what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.domain.permissions import Actor
from courses.services.attendance.attendees import attendee_list
from courses.services.context import ServiceContext
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, COURSE_A, COURSE_B, LEADER_A, add_staff, sign_in
from tests.services.admin_support import actions
from tests.services.outbox_rows import mails_since, outbox_mark

Client = AsyncTestClient[Any]
FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def staff(seeded: ServiceContext) -> ServiceContext:
    await add_staff(seeded)
    return seeded


@pytest.fixture
async def client(staff: ServiceContext, clock: FixedClock) -> Any:
    app = create_app(staff.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def _post(client: Client, path: str, fields: dict[str, str], *, ask: str = "") -> Any:
    token = await csrf_token(client, ask or path)
    return await client.post(
        path, data={**fields, "_csrf_token": token}, headers=FORM, follow_redirects=False
    )


async def _ids(ctx: ServiceContext, slug: str = COURSE_A) -> dict[str, int]:
    found = await attendee_list(ctx, Actor.command_line(), slug, with_cancelled=False)
    return {r.name: r.registration_id for r in found.rows}


PERSON = {
    "name": "Kim Telefon",
    "email": "kim.telefon@vaxjo.se",
    "employer": "vaxjo",
    "workplace": "Beroendemottagningen",
    "format": "vaxjo",
    "works_in_field": "ja",
}


async def test_a_leader_registers_someone_who_phoned_and_is_told_it_is_done(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_A)
    path = f"/kursledare/{COURSE_A}/anmal"

    shown = await client.get(path)
    done = await _post(client, path, PERSON)

    assert shown.status_code == 200
    assert "Personen har bekräftat att hen arbetar med missbruks- och beroendevård" in shown.text
    assert done.status_code == 303
    assert done.headers["location"] == f"/kursledare/{COURSE_A}?klart=anmald"
    page = await client.get(done.headers["location"])
    assert "Anmälan är gjord." in page.text
    assert "Kim Telefon" in page.text
    (entry, *_) = await actions(staff)
    assert (entry.action, entry.actor) == ("registration.on_behalf", LEADER_A)


async def test_a_form_with_errors_comes_back_with_them_and_what_was_typed(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_A)
    path = f"/kursledare/{COURSE_A}/anmal"
    mark = await outbox_mark(staff)

    wrong = await _post(client, path, {**PERSON, "email": "kim@gmail.com", "works_in_field": ""})

    assert wrong.status_code in (400, 422)
    assert "<title>Fel:" in wrong.text
    assert 'value="kim@gmail.com"' in wrong.text
    assert 'href="#email"' in wrong.text or 'href="#works_in_field"' in wrong.text
    assert await mails_since(staff, mark) == []


async def test_another_leaders_course_is_a_404_for_the_form_and_its_post(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_A)

    shown = await client.get(f"/kursledare/{COURSE_B}/anmal")
    missing = await client.get("/kursledare/finns-inte/anmal")
    posted = await _post(
        client, f"/kursledare/{COURSE_B}/anmal", PERSON, ask=f"/kursledare/{COURSE_A}/anmal"
    )

    assert (shown.status_code, missing.status_code, posted.status_code) == (404, 404, 404)


async def test_leaders_see_no_person_actions_and_are_refused_them(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_A)
    someone = (await _ids(staff))["Deltagare 1"]

    course = await client.get(f"/kursledare/{COURSE_A}")
    refused = await client.get(f"/kursledare/{COURSE_A}/deltagare/{someone}/avanmal")
    cancel = await client.get(f"/admin/kurser/{COURSE_A}/installa")

    assert "/avanmal" not in course.text
    assert "Ställ in kursen" not in course.text
    assert "Ändra kursen" not in course.text
    assert (refused.status_code, cancel.status_code) == (403, 403)


async def test_an_admin_finds_the_editor_and_the_cancel_page_on_the_course_page(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)

    course = await client.get(f"/kursledare/{COURSE_A}")

    assert f'<a href="/admin/kurser/{COURSE_A}">Ändra kursen</a>' in course.text
    assert f'<a href="/admin/kurser/{COURSE_A}/installa">Ställ in kursen</a>' in course.text


async def test_an_admin_cancels_for_someone_with_a_reason_after_a_page_that_asks(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    someone = (await _ids(staff))["Deltagare 1"]
    path = f"/kursledare/{COURSE_A}/deltagare/{someone}/avanmal"
    mark = await outbox_mark(staff)

    asked = await client.get(path)
    assert await mails_since(staff, mark) == []
    done = await _post(client, path, {"reason": "Ringde och avanmälde sig."})

    assert asked.status_code == 200
    assert "Avanmäl Deltagare 1" in asked.text
    assert done.headers["location"] == f"/kursledare/{COURSE_A}?klart=avanmald"
    written = await mails_since(staff, mark)
    assert {m.payload.get("reason") for m in written if m.kind == "cancelled"} == {
        "Ringde och avanmälde sig."
    }
    assert "Deltagare 1" not in await _ids(staff)


async def test_a_move_and_a_promotion_that_cannot_be_done_say_why(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    ids = await _ids(staff)
    waiting = f"/kursledare/{COURSE_A}/deltagare/{ids['Deltagare 3']}"

    promote = await _post(client, f"{waiting}/flytta-upp", {})
    no_choice = await _post(client, f"{waiting}/byt-format", {})
    moved = await _post(client, f"{waiting}/byt-format", {"format": "vaxjo"})

    assert promote.status_code == 409
    assert "Kursen är fullbokad" in promote.text
    assert no_choice.status_code == 400
    assert "Välj ett av kursens format." in no_choice.text
    assert moved.headers["location"] == f"/kursledare/{COURSE_A}?klart=flyttad"


async def test_an_admin_cancels_a_session_with_a_reason_and_not_without_one(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    path = f"/admin/kurser/{COURSE_A}/installa?kursdag=2"
    mark = await outbox_mark(staff)

    asked = await client.get(path)
    empty = await _post(client, path, {"reason": "  "})
    done = await _post(client, path, {"reason": "Lokalen är upptagen."})
    gone = await client.get(path)

    assert asked.status_code == 200
    assert "Ställ in kursdag 2 i Samtal om spel" in asked.text
    assert "2 deltagare med plats får ett mejl" in asked.text
    assert empty.status_code == 400
    assert "Skriv varför" in empty.text
    assert done.headers["location"] == f"/kursledare/{COURSE_A}?klart=kursdag-installd"
    assert {m.payload["reason"] for m in await mails_since(staff, mark)} == {"Lokalen är upptagen."}
    assert gone.status_code == 404


async def test_a_cancelled_course_says_so_and_cannot_be_cancelled_again(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    path = f"/admin/kurser/{COURSE_A}/installa"

    done = await _post(client, path, {"reason": "För få anmälda."})
    again = await _post(client, path, {"reason": "Igen."}, ask=f"/kursledare/{COURSE_A}")
    shown = await client.get(path)

    assert done.headers["location"] == f"/kursledare/{COURSE_A}?klart=installd"
    assert again.status_code == 409
    assert "redan inställd" in again.text
    assert "Kursen är redan inställd" in shown.text
    assert "<textarea" not in shown.text


async def test_a_post_without_the_csrf_token_is_refused(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)

    answer = await client.post(
        f"/admin/kurser/{COURSE_A}/installa", data={"reason": "x"}, headers=FORM
    )

    assert answer.status_code == 403
