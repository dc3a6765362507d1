"""`/anmalan/{token}/overlat` through the test client: the form names the employer and its
domains, a GET changes nothing, an error is shown at its field, and after the hand-over the
giver's page says to whom the seat went and the colleague's says whose seat they took over."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.tokens import token_for
from courses.storage.tables import registration_table
from tests.api.support import token_of
from tests.conftest import local
from tests.conftest import registrant as body
from tests.pages.conftest import csrf_token

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"
KIM = {"name": "Kim Kollega", "email": "kim.kollega@vaxjo.se", "workplace": "Socialtjänsten"}


@pytest.fixture
async def client(seeded: ServiceContext, clock: FixedClock) -> AsyncIterator[Client]:
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def _register(client: Client, n: int = 1) -> str:
    return token_of((await client.post(ASI, json=body(n))).json())


async def _status(client: Client, token: str) -> str:
    return str((await client.get(f"/api/registrations/{token}")).json()["status"])


async def _send(client: Client, token: str, **fields: str) -> Any:
    path = f"/anmalan/{token}/overlat"
    form = {**fields, "_csrf_token": await csrf_token(client, path)}
    return await client.post(path, data=form, follow_redirects=False)


def _text(response: Any) -> str:
    return html.unescape(response.text)


async def test_the_manage_page_links_to_the_form_which_names_the_employer(
    client: Client,
) -> None:
    token = await _register(client)

    manage = await client.get(f"/anmalan/{token}")
    form = await client.get(f"/anmalan/{token}/overlat")

    assert f'href="/anmalan/{token}/overlat"' in manage.text
    assert "Lämna över platsen till en kollega" in manage.text
    assert form.status_code == 200
    assert form.headers["referrer-policy"] == "no-referrer"
    text = _text(form)
    assert "Kollegan måste arbeta hos Växjö kommun: adressen ska sluta på vaxjo.se." in text
    assert "Du förlorar din plats" in text
    assert "Jag förstår att min plats går över till kollegan" in text
    assert 'name="manager_email"' not in form.text  # asked only where the manager approves
    assert await _status(client, token) == "confirmed"


async def test_after_the_hand_over_each_page_names_the_other(
    client: Client, seeded: ServiceContext
) -> None:
    token = await _register(client)

    answer = await _send(client, token, **KIM, confirm="ja")
    giver = _text(await client.get(answer.headers["location"]))
    colleague = _text(await client.get(f"/anmalan/{await _colleague(seeded)}"))

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/anmalan/{token}"
    assert "Du har lämnat över din plats till Kim Kollega" in giver
    assert "Lämna över platsen" not in giver
    assert "Avanmäl dig" not in giver
    assert "Du har tagit över platsen efter Deltagare 1." in colleague
    assert "Du är anmäld" in colleague


async def test_another_employers_address_is_refused_at_the_field_and_kept(
    client: Client,
) -> None:
    token = await _register(client)

    answer = await _send(client, token, **{**KIM, "email": "kim@ljungby.se"}, confirm="ja")

    assert answer.status_code == 422
    text = _text(answer)
    assert "<title>Fel:" in answer.text
    assert 'href="#email"' in answer.text
    assert 'id="email-error"' in answer.text
    assert "bara lämnas över till en kollega hos Växjö kommun" in text
    assert 'value="kim@ljungby.se"' in answer.text
    assert await _status(client, token) == "confirmed"


async def test_the_box_must_be_ticked_and_every_missing_field_is_named(client: Client) -> None:
    token = await _register(client)

    answer = await _send(client, token, name="", email="", workplace="")

    assert answer.status_code == 400
    for field in ("name", "email", "workplace", "confirm"):
        assert f'href="#{field}"' in answer.text
    assert "Kryssa i rutan om att din plats går över till kollegan." in _text(answer)
    assert await _status(client, token) == "confirmed"


async def test_once_the_course_has_begun_there_is_no_form(
    client: Client, clock: FixedClock
) -> None:
    token = await _register(client)
    clock.set(local(2022, 9, 14, 10, 0))

    form = await client.get(f"/anmalan/{token}/overlat", follow_redirects=False)
    manage = await client.get(f"/anmalan/{token}")

    assert form.status_code == 303
    assert form.headers["location"] == f"/anmalan/{token}"
    assert "Lämna över platsen" not in manage.text


async def _colleague(ctx: ServiceContext) -> str:
    reg = registration_table.c
    async with ctx.db.read() as conn:
        nonce = (
            await conn.execute(select(reg.token_nonce).where(reg.replaces_id.is_not(None)))
        ).scalar_one()
    return token_for(ctx.settings.secret_key, nonce)
