"""`/godkann/{token}` and the approval course's form, through the test client: a GET shows and
changes nothing, the buttons POST with the CSRF token, a second click changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.approval.answers import expire_due
from courses.services.context import ServiceContext
from tests.approval_support import (
    APPROVAL,
    MANAGER,
    add_approval_course,
    approval_registrant,
    approval_token,
)
from tests.conftest import local, registrant
from tests.pages.conftest import csrf_token

Client = AsyncTestClient[Any]
COURSE_PAGE = f"/kurser/{APPROVAL}"


@pytest.fixture
async def client(seeded: ServiceContext, clock: FixedClock) -> AsyncIterator[Client]:
    await add_approval_course(seeded)
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def _register(client: Client, seeded: ServiceContext, n: int = 1) -> tuple[str, str]:
    """(manage token, approval token) of a registration made through the API."""
    created = (
        await client.post(f"/api/courses/{APPROVAL}/registrations", json=approval_registrant(n))
    ).json()
    token = created["manage_url"].rsplit("/", 1)[1]
    return token, await approval_token(seeded, created["id"])


async def _status(client: Client, token: str) -> str:
    return str((await client.get(f"/api/registrations/{token}")).json()["status"])


async def test_the_course_page_and_card_say_the_manager_approves(client: Client) -> None:
    page = await client.get(COURSE_PAGE)
    catalogue = await client.get("/")
    other = await client.get("/kurser/asi-grund-2022")

    assert "Kräver chefens godkännande" in page.text
    assert 'name="manager_email"' in page.text
    assert "Din chefs e-postadress" in page.text
    assert "Kräver chefens godkännande" in catalogue.text
    assert 'name="manager_email"' not in other.text  # control: only where it is asked


async def test_the_form_without_a_manager_address_shows_the_error_at_the_field(
    client: Client,
) -> None:
    form = {**registrant(1), "works_in_field": "ja", "_csrf_token": ""}
    form["_csrf_token"] = await csrf_token(client, COURSE_PAGE)

    answer = await client.post(COURSE_PAGE, data=form)

    assert answer.status_code == 400
    assert "<title>Fel:" in answer.text
    assert 'href="#manager_email"' in answer.text
    assert "Ange din chefs e-postadress" in answer.text


async def test_the_form_with_a_manager_leads_to_the_waiting_receipt(client: Client) -> None:
    form = {**approval_registrant(1), "works_in_field": "ja"}
    form["_csrf_token"] = await csrf_token(client, COURSE_PAGE)

    answer = await client.post(COURSE_PAGE, data=form, follow_redirects=False)

    assert answer.status_code == 303
    receipt = await client.get(answer.headers["location"])
    assert "Väntar på chefens godkännande till och med 8 mars 2022" in receipt.text
    assert MANAGER in receipt.text
    assert "Lägg till i kalendern" not in receipt.text  # no invite before the approval


async def test_opening_the_link_shows_who_and_what_and_changes_nothing(
    client: Client, seeded: ServiceContext
) -> None:
    token, approval = await _register(client, seeded)

    first = await client.get(f"/godkann/{approval}")
    again = await client.get(f"/godkann/{approval}")

    assert first.status_code == again.status_code == 200
    for text in [
        "Godkänn anmälan",
        "Deltagare 1",
        "deltagare1@vaxjo.se",
        "Växjö kommun",
        "MI fördjupning",
        "tisdag 10 maj 2022",
        "till och med 8 mars 2022",
        'value="godkann"',
        'value="avsla"',
    ]:
        assert text in first.text
    assert first.headers["referrer-policy"] == "no-referrer"
    assert first.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in first.headers["content-security-policy"]
    assert await _status(client, token) == "pending_approval"


async def test_approving_by_the_button_confirms_once(
    client: Client, seeded: ServiceContext
) -> None:
    token, approval = await _register(client, seeded)
    csrf = await csrf_token(client, f"/godkann/{approval}")

    answer = await client.post(
        f"/godkann/{approval}",
        data={"_csrf_token": csrf, "svar": "godkann"},
        follow_redirects=False,
    )
    second = await client.post(f"/godkann/{approval}", data={"_csrf_token": csrf, "svar": "avsla"})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/godkann/{approval}"
    assert "Anmälan är godkänd" in (await client.get(f"/godkann/{approval}")).text
    assert second.status_code == 409
    assert "redan godkänd" in second.text
    assert await _status(client, token) == "confirmed"


async def test_declining_by_the_button_cancels(client: Client, seeded: ServiceContext) -> None:
    token, approval = await _register(client, seeded)
    csrf = await csrf_token(client, f"/godkann/{approval}")

    answer = await client.post(
        f"/godkann/{approval}", data={"_csrf_token": csrf, "svar": "avsla"}, follow_redirects=False
    )

    assert answer.status_code == 303
    assert "Anmälan är inte längre aktuell" in (await client.get(f"/godkann/{approval}")).text
    assert await _status(client, token) == "cancelled"
    own = await client.get(f"/anmalan/{token}")
    assert "Din chef har avslagit anmälan" in own.text
    assert "Du har avanmält dig" not in own.text


async def test_a_post_without_the_csrf_token_is_refused(
    client: Client, seeded: ServiceContext
) -> None:
    token, approval = await _register(client, seeded)
    await client.get(f"/godkann/{approval}")

    answer = await client.post(f"/godkann/{approval}", data={"svar": "godkann"})

    assert answer.status_code == 403
    assert await _status(client, token) == "pending_approval"


async def test_after_the_period_the_page_says_so_and_offers_no_buttons(
    client: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    _, approval = await _register(client, seeded)

    clock.set(local(2022, 3, 9, 0, 0))
    page = await client.get(f"/godkann/{approval}")

    assert "Tiden för att svara har gått ut" in page.text
    assert 'value="godkann"' not in page.text


async def test_an_unknown_link_is_a_private_404(client: Client) -> None:
    page = await client.get("/godkann/finns-inte")

    assert page.status_code == 404
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


async def test_cancelling_while_pending_says_the_seat_goes_on(
    client: Client, seeded: ServiceContext
) -> None:
    token, _ = await _register(client, seeded)

    page = await client.get(f"/anmalan/{token}/avanmal")

    assert "Din plats går till den som står först på reservlistan" in page.text


async def test_the_registrants_page_says_the_manager_did_not_answer(
    client: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    token, _ = await _register(client, seeded)
    clock.set(local(2022, 3, 9, 0, 0))
    await expire_due(seeded)

    own = await client.get(f"/anmalan/{token}")

    assert "Anmälan har tagits bort" in own.text
    assert "Din chef svarade inte i tid" in own.text


async def test_after_the_registrant_cancels_the_managers_page_says_no_answer_is_needed(
    client: Client, seeded: ServiceContext
) -> None:
    token, approval = await _register(client, seeded)
    assert 'value="godkann"' in (await client.get(f"/godkann/{approval}")).text  # control

    cancelled = await client.delete(f"/api/registrations/{token}")
    page = await client.get(f"/godkann/{approval}")

    assert cancelled.status_code in (200, 204), cancelled.text
    assert "Anmälan är inte längre aktuell" in page.text
    assert "behöver inte längre ditt godkännande" in page.text
    assert 'value="godkann"' not in page.text
