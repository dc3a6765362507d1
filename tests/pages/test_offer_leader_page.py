"""The course's staff page knows offers and transfers: the status column words them, the
counts show them, and a registration handed on has no actions left."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.transfer import transfer_registration
from tests.conftest import ASI
from tests.pages.staff import ADMIN, add_staff, sign_in
from tests.services.offer_support import colleague, offering_asi

Client = AsyncTestClient[Any]


@pytest.fixture
async def client(seeded: ServiceContext, clock: FixedClock) -> Any:
    await add_staff(seeded)
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def test_the_page_words_offers_and_transfers_and_counts_them(
    client: Client, seeded: ServiceContext
) -> None:
    seated, _ = await offering_asi(seeded, waiting=1)
    await cancel_registration(seeded, seated[0].token)
    await transfer_registration(seeded, seated[1].token, colleague())
    await sign_in(client, seeded, ADMIN)

    page = (await client.get(f"/kursledare/{ASI}")).text

    assert "<td>Erbjuden plats, svar senast 3 mars 2022 kl. 10.00</td>" in page
    assert "<td>Överlåten till Kollega 9</td>" in page
    assert "<td>Bekräftad, ersätter Deltagare 2</td>" in page
    assert "<dt>Erbjuden plats, inte svarat än</dt><dd>1</dd>" in page
    assert "<dt>Överlåtna till en kollega</dt><dd>1</dd>" in page
    assert f"/deltagare/{seated[1].id}/avanmal" not in page
    assert f"/deltagare/{seated[2].id}/avanmal" in page


async def test_a_course_without_offers_shows_no_offer_counts(
    client: Client, seeded: ServiceContext
) -> None:
    await sign_in(client, seeded, ADMIN)

    page = (await client.get(f"/kursledare/{ASI}")).text

    assert "<dt>Bekräftade</dt><dd>0</dd>" in page
    assert "Erbjuden plats" not in page
    assert "Överlåtna" not in page
