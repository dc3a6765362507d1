"""The course editor's pages through the test client: who may open them, rows added and
removed without JavaScript, errors next to their fields with what was typed kept, a new
draft saved at once, an edit of a course with registrants previewed before it is saved, and
a form saved over someone else's change refused."""

from __future__ import annotations

import html
import re
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.schedule.editor import open_course, save_course
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, COURSE_A, LEADER_A, add_staff, sign_in
from tests.services.admin_support import admin_of
from tests.services.outbox_rows import mails_since, outbox_mark

Client = AsyncTestClient[Any]

NEW = {
    "slug": "ny-kurs-2022",
    "title": "En ny kurs",
    "status": "draft",
    "deadline": "2022-05-01",
    "waitlist": "ja",
    "allocation": "first_come",
    "leader-rader": "1",
    "leader-1-name": "Anna Ledare",
    "format-rader": "1",
    "format-1-key": "digital",
    "format-1-kind": "digital",
    "session-rader": "1",
    "session-1-date": "2022-05-10",
    "session-1-start": "9:00",
    "session-1-end": "12.00",
}


@pytest.fixture
async def staff(seeded: ServiceContext) -> ServiceContext:
    await add_staff(seeded)
    return seeded


@pytest.fixture
async def client(staff: ServiceContext, clock: FixedClock) -> Any:
    app = create_app(staff.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def post(client: Client, path: str, fields: dict[str, str], **more: str) -> Any:
    token = await csrf_token(client, path)
    data = {**fields, **more, "_csrf_token": token}
    return await client.post(path, data=data, follow_redirects=False)


def value_of(page: str, name: str) -> str | None:
    """The value of the input `name` on the page; None when there is no such input."""
    for tag in re.finditer(r"<input[^>]*>", page):
        if f'name="{name}"' in tag[0]:
            found = re.search(r'value="([^"]*)"', tag[0])
            return html.unescape(found[1]) if found else ""
    return None


async def test_a_leader_cannot_open_the_editor(client: Client, staff: ServiceContext) -> None:
    await sign_in(client, staff, LEADER_A)

    assert (await client.get("/admin/kurser/ny")).status_code == 403
    assert (await client.get(f"/admin/kurser/{COURSE_A}")).status_code == 403


async def test_a_session_row_is_added_and_one_removed_with_what_was_typed_kept(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)

    added = await post(client, "/admin/kurser/ny", NEW, atgard="lagg-till-session")
    assert added.status_code == 200
    assert value_of(added.text, "session-2-date") == ""
    assert value_of(added.text, "title") == "En ny kurs"

    fields = {**NEW, "session-rader": "2", "session-2-date": "2022-05-11"}
    removed = await post(
        client, "/admin/kurser/ny", fields, **{"session-1-ta-bort": "ja"}, atgard="lagg-till-leader"
    )
    assert value_of(removed.text, "session-1-date") == "2022-05-11"
    assert value_of(removed.text, "session-2-date") is None
    assert value_of(removed.text, "leader-2-name") == ""


async def test_errors_stand_next_to_their_fields_with_what_was_typed(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    fields = {**NEW, "deadline": "2022-06-01", "session-1-end": "8:00", "seats": "många"}

    answer = await post(client, "/admin/kurser/ny", fields, atgard="spara")

    assert answer.status_code == 400
    assert "<title>Fel: Ny kurs" in answer.text
    assert 'href="#seats"' in answer.text
    assert 'id="seats-error"' in answer.text
    assert value_of(answer.text, "seats") == "många"
    again = await post(client, "/admin/kurser/ny", {**NEW, "seats": "4"}, atgard="spara")
    assert again.status_code == 303
    fixed = {**NEW, "slug": "annan-2022", "deadline": "2022-06-01"}
    late = await post(client, "/admin/kurser/ny", fixed, atgard="spara")
    assert 'id="deadline-error"' in late.text
    ends = await post(
        client,
        "/admin/kurser/ny",
        {**fixed, "deadline": "2022-05-01", "session-1-end": "8:00"},
        atgard="spara",
    )
    assert 'id="session-1-end-error"' in ends.text


async def test_a_new_draft_is_saved_at_once_and_listed_as_a_draft(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)

    answer = await post(client, "/admin/kurser/ny", NEW, atgard="spara")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/kurser/ny-kurs-2022?sparad=1"
    saved = await client.get(answer.headers["location"])
    assert "Kursen är sparad." in saved.text
    listing = await client.get("/admin")
    assert 'href="/admin/kurser/ny-kurs-2022"' in listing.text
    assert "Utkast" in listing.text
    assert 'href="/admin/kurser/ny"' in listing.text


async def test_an_edit_of_a_course_with_registrants_is_previewed_before_it_is_saved(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    form = await client.get(f"/admin/kurser/{COURSE_A}")
    fields = _fields(form.text)
    fields["session-2-date"] = "2022-04-29"
    mark = await outbox_mark(staff)

    preview = await post(client, f"/admin/kurser/{COURSE_A}", fields, atgard="spara")

    assert preview.status_code == 200
    assert "Så här ändras kursen" in preview.text
    assert "uppdaterade kalenderinbjudningar" in preview.text
    assert await mails_since(staff, mark) == []
    previewed = value_of(preview.text, "granskad")
    assert previewed
    applied = await post(
        client, f"/admin/kurser/{COURSE_A}", fields, atgard="skicka", granskad=previewed
    )
    assert applied.status_code == 303
    assert await mails_since(staff, mark) != []


async def test_a_form_saved_over_someone_elses_change_is_refused(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    form = await client.get(f"/admin/kurser/{COURSE_A}")
    admin = await admin_of(staff)
    theirs = await open_course(staff, admin, COURSE_A)
    await save_course(
        staff, admin, msgspec.structs.replace(theirs.entry, seats=5), revision=theirs.revision
    )
    fields = {**_fields(form.text), "title": "Min titel"}

    answer = await post(client, f"/admin/kurser/{COURSE_A}", fields, atgard="spara")

    assert answer.status_code == 409
    assert "Kursen har ändrats av någon annan sedan du öppnade den." in answer.text
    assert (await open_course(staff, admin, COURSE_A)).entry.title == "Samtal om spel"


async def test_a_course_offers_freed_seats_for_the_hours_typed(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    fields = {**NEW, "offer_hours": "48", "offer_until_hours": "12"}

    answer = await post(client, "/admin/kurser/ny", fields, atgard="spara")

    assert answer.status_code == 303
    entry = (await open_course(staff, await admin_of(staff), "ny-kurs-2022")).entry
    assert (entry.offer_hours, entry.offer_until_hours) == (48, 12)
    form = await client.get("/admin/kurser/ny-kurs-2022")
    assert value_of(form.text, "offer_hours") == "48"
    assert value_of(form.text, "offer_until_hours") == "12"
    assert "Timmar att svara på en erbjuden plats" in form.text


async def test_a_last_window_without_offer_hours_is_refused_at_its_field(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, ADMIN)
    fields = {**NEW, "offer_hours": "0", "offer_until_hours": "48"}

    answer = await post(client, "/admin/kurser/ny", fields, atgard="spara")

    assert answer.status_code == 400
    assert 'id="offer_until_hours-error"' in answer.text
    assert 'href="#offer_until_hours"' in answer.text
    assert "Sista timmarna före kursstart: Gäller bara när timmarna att svara" in answer.text
    assert value_of(answer.text, "offer_until_hours") == "48"
    left_empty = {**NEW, "offer_until_hours": "24"}
    assert (await post(client, "/admin/kurser/ny", left_empty, atgard="spara")).status_code == 303


def _fields(page: str) -> dict[str, str]:
    """What the form would send as it stands (text boxes, checked boxes, selected options)."""
    found: dict[str, str] = {}
    for tag in re.finditer(r"<input[^>]*>", page):
        text = tag[0]
        name = re.search(r'name="([^"]+)"', text)
        value = re.search(r'value="([^"]*)"', text)
        if not name or name[1] == "_csrf_token":
            continue
        if ('type="radio"' in text or 'type="checkbox"' in text) and " checked" not in text:
            continue
        found[name[1]] = html.unescape(value[1]) if value else ""
    for select in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select[2])
        if chosen:
            found[select[1]] = chosen[1]
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        found[area[1]] = html.unescape(area[2])
    return found
