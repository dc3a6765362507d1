"""`/kursledare/{slug}/meddelande` through the test client: the form, the preview (a dry run
that queues nothing), the send and its receipt, errors next to their fields with what was
typed kept, another leader's course, and the limit on sends."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, COURSE_A, COURSE_B, LEADER_A, add_staff, sign_in
from tests.services.outbox_rows import mails_since, outbox_mark

Client = AsyncTestClient[Any]
PAGE = f"/kursledare/{COURSE_A}/meddelande"
TEXT = "Hej!\r\n\r\nVi ses i <sal 3> & tar fika."


@pytest.fixture
async def staff(seeded: ServiceContext) -> ServiceContext:
    await add_staff(seeded)
    return seeded


async def _client(ctx: ServiceContext, clock: FixedClock, **settings: Any) -> Any:
    app = create_app(replace(ctx.settings, **settings), clock=clock)
    return AsyncTestClient(app, base_url="http://kurser.test")


@pytest.fixture
async def leader(staff: ServiceContext, clock: FixedClock) -> Any:
    async with await _client(staff, clock) as client:
        await sign_in(client, staff, LEADER_A)
        yield client


async def post(client: Client, action: str, **fields: str) -> Any:
    values = {"to": "all", "session": "", "subject": "Ny sal", "text": TEXT, **fields}
    token = await csrf_token(client, PAGE)
    return await client.post(
        PAGE, data={**values, "atgard": action, "_csrf_token": token}, follow_redirects=False
    )


async def test_the_course_page_links_to_the_message_form(leader: Client) -> None:
    course = await leader.get(f"/kursledare/{COURSE_A}")
    form = await leader.get(PAGE)

    assert f'href="{PAGE}"' in course.text
    assert form.status_code == 200
    assert "<h1>Skriv till deltagarna</h1>" in form.text
    assert 'id="to" name="to" value="all" checked' in form.text
    assert 'name="_csrf_token"' in form.text
    assert form.headers["cache-control"] == "no-store"


async def test_the_preview_shows_the_text_and_the_count_and_queues_nothing(
    leader: Client, staff: ServiceContext
) -> None:
    mark = await outbox_mark(staff)

    preview = await post(leader, "forhandsgranska")

    assert preview.status_code == 200
    assert "<h1>Förhandsgranska meddelandet</h1>" in preview.text
    assert "<strong>3 personer</strong> (alla anmälda)" in preview.text
    assert "<p>Vi ses i &lt;sal 3&gt; &amp; tar fika.</p>" in preview.text
    assert ">Skicka till 3 personer</button>" in preview.text
    # What was typed travels on in the form, escaped.
    assert f'name="text" value="{html.escape(TEXT)}"' in preview.text.replace("&#34;", "&quot;")
    assert await mails_since(staff, mark) == []


async def test_a_session_preview_names_the_day_and_counts_those_with_a_seat(
    leader: Client,
) -> None:
    preview = await post(leader, "forhandsgranska", to="session", session="2")

    assert "<strong>2 personer</strong> (deltagarna kursdag 2)" in preview.text
    assert "Ett meddelande om kursdag 2, " in preview.text


async def test_sending_queues_one_mail_each_and_shows_a_receipt(
    leader: Client, staff: ServiceContext
) -> None:
    mark = await outbox_mark(staff)

    sent = await post(leader, "skicka", to="waitlisted")
    receipt = await leader.get(sent.headers["location"])

    assert sent.status_code == 303
    assert sent.headers["location"] == f"{PAGE}?skickat=1"
    assert "Meddelandet är skickat till 1 person." in receipt.text
    assert [m.kind for m in await mails_since(staff, mark)] == ["message"]


async def test_errors_are_next_to_their_fields_with_what_was_typed_kept(
    leader: Client, staff: ServiceContext
) -> None:
    mark = await outbox_mark(staff)

    page = await post(leader, "skicka", to="session", subject="", text="Kvar  ")

    assert page.status_code == 400
    assert "<title>Fel: Skriv till deltagarna" in page.text
    assert '<a href="#subject">Skriv en ämnesrad.</a>' in page.text
    assert '<a href="#session">Välj vilken kursdag meddelandet gäller.</a>' in page.text
    assert 'id="subject-error"' in page.text
    assert 'aria-describedby="session-hint session-error"' in page.text
    assert ">Kvar  </textarea>" in page.text
    assert 'id="to-session" name="to" value="session" checked' in page.text
    assert await mails_since(staff, mark) == []


async def test_changing_the_preview_brings_the_text_back_into_the_form(leader: Client) -> None:
    page = await post(leader, "andra", subject="Ny sal igen")

    assert "<h1>Skriv till deltagarna</h1>" in page.text
    assert 'value="Ny sal igen"' in page.text
    assert f">{html.escape(TEXT, quote=False)}</textarea>" in page.text


async def test_an_empty_group_previews_with_no_send_button(
    staff: ServiceContext, clock: FixedClock
) -> None:
    async with await _client(staff, clock) as admin:
        await sign_in(admin, staff, ADMIN)
        token = await csrf_token(admin, f"/kursledare/{COURSE_B}/meddelande")
        fields = {"to": "waitlisted", "subject": "Ämne", "text": "Text"}
        preview = await admin.post(
            f"/kursledare/{COURSE_B}/meddelande",
            data={**fields, "atgard": "forhandsgranska", "_csrf_token": token},
        )

    assert preview.status_code == 200
    assert "Det finns ingen i gruppen (reservlistan) att skicka meddelandet till." in preview.text
    assert 'value="skicka"' not in preview.text
    assert ">Ändra meddelandet</button>" in preview.text


async def test_another_leaders_course_is_the_same_404_as_a_missing_one(leader: Client) -> None:
    theirs = await leader.get(f"/kursledare/{COURSE_B}/meddelande")
    missing = await leader.get("/kursledare/finns-inte/meddelande")
    token = await csrf_token(leader, PAGE)
    posted = await leader.post(
        f"/kursledare/{COURSE_B}/meddelande",
        data={"to": "all", "subject": "x", "text": "y", "atgard": "skicka", "_csrf_token": token},
    )

    assert theirs.status_code == missing.status_code == posted.status_code == 404
    assert "Kursen finns inte" in theirs.text
    assert "Återfall och stöd" not in theirs.text + posted.text


async def test_sends_past_the_limit_show_an_error_and_keep_the_message(
    staff: ServiceContext, clock: FixedClock
) -> None:
    async with await _client(staff, clock, message_rate=Rate(1, 3600)) as client:
        await sign_in(client, staff, LEADER_A)
        first = await post(client, "skicka")
        second = await post(client, "skicka", subject="En gång till")
        empty = await post(client, "skicka", subject="")

    assert first.status_code == 303
    assert second.status_code == 429
    assert int(second.headers["retry-after"]) > 0
    assert "<title>Fel: Förhandsgranska meddelandet" in second.text
    assert "Du har skickat många meddelanden den senaste timmen." in second.text
    assert 'name="subject" value="En gång till"' in second.text
    # A draft with errors still gets its errors, limit or not.
    assert empty.status_code == 400
    assert '<a href="#subject">Skriv en ämnesrad.</a>' in empty.text


async def test_a_send_without_the_forms_token_is_refused_and_sends_nothing(
    leader: Client, staff: ServiceContext
) -> None:
    mark = await outbox_mark(staff)

    refused = await leader.post(
        PAGE, data={"to": "all", "subject": "Ämne", "text": "Text", "atgard": "skicka"}
    )

    assert refused.status_code == 403
    assert await mails_since(staff, mark) == []
