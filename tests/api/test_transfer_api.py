"""POST /api/registrations/{token}/transfer: a confirmed seat handed to a colleague of the same
employer. The answer never carries the colleague's link; a wrong address is a 422 at the field;
a seat that is not confirmed, or a course that has begun, is a 409."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from courses.clock import FixedClock
from courses.services.approval.answers import approve
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.services.tokens import token_for
from courses.settings import Rate
from courses.storage.tables import registration_table
from tests.api.support import field_errors, problem_type, token_of
from tests.api.test_rate_limits import limited
from tests.approval_support import (
    APPROVAL,
    add_approval_course,
    approval_registrant,
    approval_token,
)
from tests.conftest import local
from tests.conftest import registrant as body

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"
KIM = {"name": "Kim Kollega", "email": "kim.kollega@vaxjo.se", "workplace": "Socialtjänsten"}


async def _register(api: Client, path: str = ASI, **fields: Any) -> str:
    created = await api.post(path, json=fields or body())
    assert created.status_code == 201, created.text
    return token_of(created.json())


async def _colleague_token(ctx: ServiceContext, giver_id: int) -> str:
    """The colleague's link, as only their mail carries it (from the stored nonce)."""
    reg = registration_table.c
    async with ctx.db.read() as conn:
        nonce = (
            await conn.execute(select(reg.token_nonce).where(reg.replaces_id == giver_id))
        ).scalar_one()
    return token_for(ctx.settings.secret_key, nonce)


async def test_the_seat_goes_to_the_colleague_and_the_answer_holds_no_link_of_theirs(
    api: Client, seeded: ServiceContext
) -> None:
    token = await _register(api)

    handed = await api.post(f"/api/registrations/{token}/transfer", json=KIM)

    assert handed.status_code == 201
    answer = handed.json()
    assert (answer["status"], answer["name"]) == ("confirmed", "Kim Kollega")
    mine = answer["registration"]
    assert (mine["status"], mine["transferred_to"], mine["can_cancel"]) == (
        "transferred",
        "Kim Kollega",
        False,
    )
    colleague = await _colleague_token(seeded, mine["id"])
    assert colleague not in handed.text
    assert "/anmalan/" not in handed.text
    assert "manage_url" not in handed.text
    theirs = (await api.get(f"/api/registrations/{colleague}")).json()
    assert (theirs["status"], theirs["email"], theirs["transferred_from"]) == (
        "confirmed",
        "kim.kollega@vaxjo.se",
        "Deltagare 1",
    )
    assert (await api.get("/api/courses/asi-grund-2022")).json()["seats_left"] == 3


@pytest.mark.parametrize(
    ("email", "words"),
    [
        ("kim.kollega@ljungby.se", "bara lämnas över till en kollega hos Växjö kommun"),
        ("Deltagare1@vaxjo.se", "din egen adress"),
        ("deltagare2@vaxjo.se", "redan anmäld"),
    ],
    ids=["another-employer", "oneself", "already-registered"],
)
async def test_a_wrong_address_is_refused_at_the_email_field(
    api: Client, email: str, words: str
) -> None:
    token = await _register(api)
    await _register(api, **body(2))

    refused = await api.post(f"/api/registrations/{token}/transfer", json={**KIM, "email": email})

    assert refused.status_code == 422
    assert problem_type(refused) == "not-eligible"
    assert words in field_errors(refused)["email"]
    assert (await api.get(f"/api/registrations/{token}")).json()["status"] == "confirmed"


async def test_a_place_on_the_waitlist_cannot_be_handed_on(api: Client) -> None:
    for n in range(4):
        await _register(api, **body(n + 10))
    waiting = await _register(api)

    refused = await api.post(f"/api/registrations/{waiting}/transfer", json=KIM)

    assert refused.status_code == 409
    assert problem_type(refused) == "conflict"
    assert "Bara en bekräftad plats" in refused.json()["detail"]


async def test_a_seat_handed_on_cannot_be_handed_on_again(api: Client) -> None:
    token = await _register(api)
    await api.post(f"/api/registrations/{token}/transfer", json=KIM)

    again = await api.post(
        f"/api/registrations/{token}/transfer", json={**KIM, "email": "kim2@vaxjo.se"}
    )

    assert again.status_code == 409
    assert problem_type(again) == "conflict"


async def test_once_the_course_has_begun_the_seat_stays(api: Client, clock: FixedClock) -> None:
    token = await _register(api)
    clock.set(local(2022, 9, 14, 10, 0))

    refused = await api.post(f"/api/registrations/{token}/transfer", json=KIM)

    assert refused.status_code == 409
    assert problem_type(refused) == "registration-closed"


async def test_an_unknown_link_is_not_found(api: Client) -> None:
    response = await api.post("/api/registrations/nope/transfer", json=KIM)

    assert response.status_code == 404
    assert problem_type(response) == "course-not-found"


async def test_missing_fields_are_named(api: Client) -> None:
    token = await _register(api)

    refused = await api.post(f"/api/registrations/{token}/transfer", json={"name": "Kim"})

    assert refused.status_code == 400
    assert problem_type(refused) == "validation-error"
    assert {"email", "workplace"} <= set(field_errors(refused))


async def test_on_an_approval_course_the_colleagues_manager_is_asked(
    api: Client, seeded: ServiceContext
) -> None:
    await add_approval_course(seeded)
    path = f"/api/courses/{APPROVAL}/registrations"
    token = await _register(api, path, **approval_registrant(1))
    # The registrant's manager approves first: only a confirmed seat can be handed on.
    await _approve_first(seeded, token)

    without = await api.post(f"/api/registrations/{token}/transfer", json=KIM)
    handed = await api.post(
        f"/api/registrations/{token}/transfer",
        json={**KIM, "manager_email": "chef.chefsson@vaxjo.se"},
    )

    assert without.status_code == 400
    assert "manager_email" in field_errors(without)
    assert handed.status_code == 201
    assert handed.json()["status"] == "pending_approval"


async def _approve_first(ctx: ServiceContext, token: str) -> None:
    mine = await get_registration(ctx, token)
    await approve(ctx, await approval_token(ctx, mine.id))


async def test_handing_on_is_rate_limited_per_link(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    async with limited(seeded, clock, token_rate=Rate(2, 60)) as client:
        token = await _register(client)
        statuses = [
            (
                await client.post(
                    f"/api/registrations/{token}/transfer", json={**KIM, "email": "x@annat.se"}
                )
            ).status_code
            for _ in range(3)
        ]

    assert statuses == [422, 422, 429]
