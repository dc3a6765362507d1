"""The attendee list over HTTP knows offers and transfers: the JSON gives an offer's answer
time and who replaced whom, and the leader's page shows the worded status and the counts."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from tests.api.admin_support import bearer
from tests.conftest import ASI
from tests.services.offer_support import colleague, offering_asi

Client = AsyncTestClient[Any]


async def test_the_json_list_gives_the_offer_time_and_who_replaced_whom(
    api: Client, seeded: ServiceContext
) -> None:
    seated, _ = await offering_asi(seeded, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    await transfer_registration(seeded, seated[1].token, colleague())

    answer = await api.get(f"/api/courses/{ASI}/attendees", headers=await bearer(seeded))

    assert answer.status_code == 200, answer.text
    people = {a["name"]: a for a in answer.json()["attendees"]}
    offered = people["Deltagare 5"]
    assert (offered["status"], offered["offer_due_at"]) == ("offered", "2022-03-03T09:00:00Z")
    assert (people["Deltagare 2"]["status"], people["Deltagare 2"]["replaced_by"]) == (
        "transferred",
        "Kollega 9",
    )
    assert people["Kollega 9"]["replaces"] == "Deltagare 2"
    assert people["Deltagare 3"]["offer_due_at"] is None
