"""The registerutdrag knows offers and transfers: an offered seat's times and how the offer
ended, the mails about it described, and who took over whose seat, in the API's extract and
the manage page's download alike."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from courses.services.tokens import token_for
from courses.storage.tables import registration_table
from tests.services.offer_support import colleague, offering_asi

Client = AsyncTestClient[Any]


async def _both(api: Client, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    from_api = (await api.get(f"/api/registrations/{token}/data")).json()
    page = await api.get(f"/anmalan/{token}/registerutdrag")
    assert page.status_code == 200
    return from_api, json.loads(page.content)


async def _token_of(ctx: ServiceContext, registration_id: int) -> str:
    """The manage token a registration's mail carries (made from its nonce)."""
    reg = registration_table.c
    async with ctx.db.read() as conn:
        nonce = (
            await conn.execute(select(reg.token_nonce).where(reg.id == registration_id))
        ).scalar_one()
    return token_for(ctx.settings.secret_key, nonce)


async def test_an_offered_seat_shows_its_times_and_its_mail(
    api: Client, seeded: ServiceContext
) -> None:
    seated, (offered, _) = await offering_asi(seeded)
    await cancel_registration(seeded, seated[0].token)

    from_api, document = await _both(api, offered.token)

    assert from_api["registration"]["status"] == "offered"
    stored = from_api["stored"]
    assert (stored["offered_at"], stored["offer_due_at"], stored["offer_outcome"]) == (
        "2022-03-01T10:00:00+01:00",
        "2022-03-03T10:00:00+01:00",
        None,
    )
    mine = document["anmälan"]
    assert mine["status"] == "erbjuden en plats från reservlistan, väntar på ditt svar"
    assert mine["svar senast"] == "2022-03-03T10:00:00+01:00"
    assert mine["erbjudandet"] == "väntar på ditt svar"
    assert "ersatte" not in mine
    offer_mail = next(m for m in from_api["mails"] if m["kind"] == "offered")
    assert offer_mail["about"].startswith("Erbjudande om en ledig plats från reservlistan")
    assert "erbjudande om en plats från reservlistan" in [m["slag"] for m in document["mejl"]]


async def test_a_declined_offer_says_so(api: Client, seeded: ServiceContext) -> None:
    seated, (offered, _) = await offering_asi(seeded)
    await cancel_registration(seeded, seated[0].token)
    await answer_offer(seeded, offered.token, accept=False)

    from_api, document = await _both(api, offered.token)

    assert from_api["stored"]["offer_outcome"] == "declined"
    assert document["anmälan"]["status"] == "avanmäld"
    assert document["anmälan"]["erbjudandet"] == "du tackade nej och lämnade reservlistan"
    assert "offer_declined" in [m["kind"] for m in from_api["mails"]]


async def test_a_seat_handed_on_names_the_other_colleague_on_both_sides(
    api: Client, seeded: ServiceContext
) -> None:
    seated, _ = await offering_asi(seeded, waiting=0)
    handed = await transfer_registration(seeded, seated[1].token, colleague())

    giver_api, giver = await _both(api, seated[1].token)
    taker_api, taker = await _both(api, await _token_of(seeded, handed.registration_id))

    assert giver["anmälan"]["status"] == "överlåten till en kollega"
    assert giver["anmälan"]["ersattes av"] == "Kollega 9"
    assert giver_api["stored"]["replaced_by"] == "Kollega 9"
    assert taker["anmälan"]["ersatte"] == "Deltagare 2"
    assert taker_api["stored"]["replaces"] == "Deltagare 2"
    assert "ersattes av" not in taker["anmälan"]
    welcome = next(m for m in taker_api["mails"] if m["kind"] == "transferred_in")
    assert "Platsen överläts till dig av Deltagare 2." in welcome["content"]
    farewell = next(m for m in giver_api["mails"] if m["kind"] == "transferred_out")
    assert "Du överlät platsen till Kollega 9." in farewell["content"]
