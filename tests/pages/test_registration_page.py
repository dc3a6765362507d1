"""`/anmalan/{token}` through the test client: the receipt, cancelling, the registerutdrag."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient

from courses.clock import FixedClock
from tests.conftest import local, registrant
from tests.pages.conftest import csrf_token

Client = AsyncTestClient[Any]


async def register(client: Client, n: int = 1, **overrides: Any) -> str:
    """A registration through the API; its page's path."""
    response = await client.post(
        "/api/courses/asi-grund-2022/registrations", json=registrant(n, **overrides)
    )
    return "/anmalan/" + response.json()["manage_url"].rsplit("/", 1)[1]


async def status_of(client: Client, path: str) -> str:
    token = path.rsplit("/", 1)[1]
    return str((await client.get(f"/api/registrations/{token}")).json()["status"])


async def test_the_manage_link_of_the_api_is_the_registrants_page(client: Client) -> None:
    response = await client.post("/api/courses/asi-grund-2022/registrations", json=registrant())

    assert response.json()["manage_url"].startswith("http://kurser.test/anmalan/")


async def test_the_receipt_shows_the_place_the_details_and_what_to_do(client: Client) -> None:
    path = await register(client, phone="0470-123 45", message="Kommer med tåg")

    page = await client.get(path)

    assert page.status_code == 200
    for text in [
        "Du är anmäld",
        "Du har en plats på ASI grundutbildning.",
        "Deltagare 1",
        "deltagare1@vaxjo.se",
        "Växjö kommun",
        "Beroendemottagningen",
        "0470-123 45",
        "Kommer med tåg",
        "Tre dagar före första kursdagen får du en påminnelse.",
        f'href="/api/registrations/{path.rsplit("/", 1)[1]}/invite.ics"',
        f'href="{path}/avanmal"',
        f'href="{path}/registerutdrag"',
    ]:
        assert text in page.text


async def test_a_waitlisted_registrant_sees_their_place_in_the_queue(client: Client) -> None:
    for n in range(1, 5):
        await register(client, n)
    path = await register(client, 5)

    page = (await client.get(path)).text

    assert "Du står på reservlistan" in page
    assert "Du är nummer 1 i kön till ASI grundutbildning." in page
    assert "invite.ics" not in page


async def test_showing_the_cancel_question_changes_nothing_and_the_button_cancels(
    client: Client,
) -> None:
    path = await register(client)

    question = await client.get(f"{path}/avanmal")
    assert question.status_code == 200
    assert "Vill du avanmäla dig?" in question.text
    assert await status_of(client, path) == "confirmed"
    token = await csrf_token(client, f"{path}/avanmal")

    done = await client.post(f"{path}/avanmal", data={"_csrf_token": token}, follow_redirects=False)
    again = await client.post(
        f"{path}/avanmal", data={"_csrf_token": token}, follow_redirects=False
    )

    assert (done.status_code, done.headers["location"]) == (303, path)
    assert await status_of(client, path) == "cancelled"
    assert (again.status_code, again.headers["location"]) == (303, path)
    page = (await client.get(path)).text
    assert "Du har avanmält dig" in page
    assert f"{path}/avanmal" not in page
    assert (await client.get(f"{path}/avanmal", follow_redirects=False)).status_code == 303


async def test_cancelling_without_the_form_token_is_refused(client: Client) -> None:
    path = await register(client)
    await client.get(f"{path}/avanmal")

    response = await client.post(f"{path}/avanmal", follow_redirects=False)

    assert response.status_code == 403
    assert await status_of(client, path) == "confirmed"


async def test_once_the_course_has_begun_the_page_says_why_it_cannot_be_cancelled(
    client: Client, clock: FixedClock
) -> None:
    path = await register(client)
    token = await csrf_token(client, f"{path}/avanmal")
    clock.set(local(2022, 9, 14, 10, 0))

    page = (await client.get(path)).text
    refused = await client.post(
        f"{path}/avanmal", data={"_csrf_token": token}, follow_redirects=False
    )

    assert f"{path}/avanmal" not in page
    assert "Kursen har redan börjat" in page
    assert refused.status_code == 409
    assert "Det gick inte att avanmäla dig" in refused.text
    assert await status_of(client, path) == "confirmed"


async def test_the_registerutdrag_is_a_download_of_everything_stored(client: Client) -> None:
    path = await register(client, phone="0470-123 45", message="Kommer med tåg")

    response = await client.get(f"{path}/registerutdrag")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="registerutdrag.json"'
    assert response.headers["referrer-policy"] == "no-referrer"
    data = json.loads(response.content)
    mine = data["anmälan"]
    assert (mine["namn"], mine["e-postadress"], mine["telefonnummer"]) == (
        "Deltagare 1",
        "deltagare1@vaxjo.se",
        "0470-123 45",
    )
    assert (mine["meddelande"], mine["status"], mine["deltar"], mine["plats"]) == (
        "Kommer med tåg",
        "bekräftad",
        "på plats",
        "Meddelas av kursledaren",
    )
    assert mine["anmäld"] == "2022-03-01T10:00:00+01:00"
    assert data["kurs"]["namn"] == "ASI grundutbildning"
    assert [m["slag"] for m in data["mejl"]][:1] == ["bekräftelse"]
    assert path.rsplit("/", 1)[1] not in response.text


async def test_an_unknown_link_is_a_swedish_page_and_the_api_keeps_problem_json(
    client: Client,
) -> None:
    page = await client.get("/anmalan/ingen-sadan")
    api = await client.get("/api/registrations/ingen-sadan")

    assert page.status_code == 404
    assert "Vi hittar ingen anmälan med den här länken" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert api.headers["content-type"] == "application/problem+json"
