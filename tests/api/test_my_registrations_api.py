"""`POST /api/my-registrations`: the same 202 for any address, a mail only where there are
registrations, 400 for what is not an address, 429 per address and per client."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate
from tests.api.support import problem_type
from tests.conftest import registrant
from tests.services.outbox_rows import mails_since

Client = AsyncTestClient[Any]
PATH = "/api/my-registrations"


async def test_a_known_and_an_unknown_address_get_the_same_answer_and_only_one_a_mail(
    api: Client, seeded: ServiceContext
) -> None:
    made = await api.post("/api/courses/lvm-forelasning-2022/registrations", json=registrant(1))
    assert made.status_code == 201

    known = await api.post(PATH, json={"email": "deltagare1+x@vaxjo.se"})
    unknown = await api.post(PATH, json={"email": "ingen.alls@vaxjo.se"})

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known.json()["detail"].startswith("Om adressen har anmälningar hos oss skickar vi")
    assert set(known.headers.keys()) == set(unknown.headers.keys())
    assert [m.kind for m in await mails_since(seeded, kind="my_registrations")] == [
        "my_registrations"
    ]


async def test_what_is_not_an_address_is_a_validation_error(api: Client) -> None:
    for body in ({"email": "inte en adress"}, {}, {"email": "kim@vaxjo.se", "extra": 1}):
        refused = await api.post(PATH, json=body)

        assert refused.status_code == 400, body
        assert problem_type(refused) == "validation-error"


async def test_requests_are_limited_per_address_whatever_its_tag_and_per_client(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    settings = replace(
        seeded.settings,
        my_registrations_rate=Rate(2, 900),
        client_my_registrations_rate=Rate(4, 900),
    )
    async with AsyncTestClient(create_app(settings, clock=clock)) as api:
        kim = [await api.post(PATH, json={"email": f"kim+{n}@vaxjo.se"}) for n in range(3)]
        others = [await api.post(PATH, json={"email": f"anna{n}@vaxjo.se"}) for n in range(3)]

    assert [r.status_code for r in kim] == [202, 202, 429]
    # Every request counts for the client, the refused one too: its 4 are spent after anna0.
    assert [r.status_code for r in others] == [202, 429, 429]
    refused = kim[2]
    assert problem_type(refused) == "too-many-requests"
    assert "Försök igen om" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
