"""`/mina-anmalningar` through the test client: the same page for any address, the error next
to the field, the form's CSRF token, and a page that says so when too many ask."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.settings import Rate
from tests.conftest import form
from tests.pages.conftest import csrf_token
from tests.services.outbox_rows import mails_since

Client = AsyncTestClient[Any]
PATH = "/mina-anmalningar"


async def _ask(client: Client, email: str) -> Any:
    token = await csrf_token(client, PATH)
    return await client.post(PATH, data={"email": email, "_csrf_token": token})


async def test_a_known_and_an_unknown_address_get_the_same_page(
    client: Client, seeded: ServiceContext
) -> None:
    await register(seeded, "lvm-forelasning-2022", form(1))

    known = await _ask(client, "deltagare1@vaxjo.se")
    unknown = await _ask(client, "ingen.alls@vaxjo.se")

    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("deltagare1@vaxjo.se", "X") == unknown.text.replace(
        "ingen.alls@vaxjo.se", "X"
    )
    assert "Om adressen har anmälningar hos oss skickar vi ett mejl" in known.text
    assert known.headers["referrer-policy"] == "no-referrer"
    assert len(await mails_since(seeded, kind="my_registrations")) == 1


async def test_what_is_not_an_address_is_said_next_to_the_field(client: Client) -> None:
    for typed, message in (("", "Ange din e-postadress."), ("kim at vaxjo", "e-postadress")):
        page = await _ask(client, typed)

        assert page.status_code == 400
        assert "<title>Fel: Mina anmälningar" in page.text
        assert '<p class="error-message" id="email-error">' in page.text
        assert message in page.text.split('id="email-error">', 1)[1].split("</p>", 1)[0]
        assert 'aria-describedby="email-hint email-error"' in page.text


async def test_a_post_without_the_forms_csrf_token_is_refused_and_mails_nothing(
    client: Client, seeded: ServiceContext
) -> None:
    await register(seeded, "lvm-forelasning-2022", form(1))
    await client.get(PATH)  # the cookie, but not the form's token

    forged = await client.post(PATH, data={"email": "deltagare1@vaxjo.se"})

    assert forged.status_code == 403
    assert await mails_since(seeded, kind="my_registrations") == []


async def test_too_many_requests_for_one_address_are_refused_on_the_page(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    settings = replace(seeded.settings, my_registrations_rate=Rate(1, 900))
    async with AsyncTestClient(create_app(settings, clock=clock)) as client:
        first = await _ask(client, "kim@vaxjo.se")
        second = await _ask(client, "Kim+igen@vaxjo.se")

    assert (first.status_code, second.status_code) == (200, 429)
    assert "för många förfrågningar om anmälningar på kort tid" in second.text
    assert int(second.headers["retry-after"]) >= 1
