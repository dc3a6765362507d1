"""Registering for a course whose manager approves, through the API: `manager_email` is
required and checked, the answer says `pending_approval`, the registrant sees until when."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.api.support import field_errors, problem_type, token_of
from tests.approval_support import APPROVAL, MANAGER, add_approval_course, approval_registrant
from tests.conftest import registrant

Client = AsyncTestClient[Any]
REGISTER = f"/api/courses/{APPROVAL}/registrations"


@pytest.fixture
async def api(seeded: ServiceContext, clock: FixedClock) -> AsyncIterator[Client]:
    await add_approval_course(seeded)
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def test_a_seat_waits_for_the_manager(api: Client) -> None:
    response = await api.post(REGISTER, json=approval_registrant(1))

    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["waitlist_position"]) == ("pending_approval", None)
    mine = (await api.get(f"/api/registrations/{token_of(created)}")).json()
    assert mine["status"] == "pending_approval"
    assert mine["manager_email"] == MANAGER
    assert mine["approval_until"] == "2022-03-08"
    assert mine["can_cancel"] is True
    course = (await api.get(f"/api/courses/{APPROVAL}")).json()
    assert course["seats_left"] == 1


async def test_without_a_manager_address_it_is_a_swedish_validation_error(api: Client) -> None:
    response = await api.post(REGISTER, json=registrant(1))

    assert response.status_code == 400
    assert problem_type(response) == "validation-error"
    assert "chef" in response.json()["detail"]
    assert field_errors(response)["manager_email"].startswith("Ange din chefs e-postadress")


async def test_a_manager_at_another_employer_is_not_eligible(api: Client) -> None:
    body = approval_registrant(1, manager_email="chef@ljungby.se")
    response = await api.post(REGISTER, json=body)

    assert response.status_code == 422
    assert problem_type(response) == "not-eligible"
    assert "Chefens e-postadress hör inte till Växjö kommun" in response.json()["detail"]


async def test_a_malformed_manager_address_is_a_validation_error(api: Client) -> None:
    response = await api.post(REGISTER, json=approval_registrant(1, manager_email="chef-at-vaxjo"))

    assert response.status_code == 400
    assert problem_type(response) == "validation-error"
    assert "manager_email" in field_errors(response)


async def test_the_third_registrant_is_waitlisted_and_not_yet_asked(api: Client) -> None:
    for n in (1, 2):
        await api.post(REGISTER, json=approval_registrant(n))

    third = (await api.post(REGISTER, json=approval_registrant(3))).json()

    assert (third["status"], third["waitlist_position"]) == ("waitlisted", 1)
    mine = (await api.get(f"/api/registrations/{token_of(third)}")).json()
    assert (mine["manager_email"], mine["approval_until"]) == (MANAGER, None)


async def test_a_course_without_approval_ignores_the_manager_address(api: Client) -> None:
    response = await api.post(
        "/api/courses/asi-grund-2022/registrations", json=approval_registrant(1)
    )

    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    mine = (await api.get(f"/api/registrations/{token_of(response.json())}")).json()
    assert mine["manager_email"] is None


async def test_the_data_extract_names_the_manager(api: Client) -> None:
    token = token_of((await api.post(REGISTER, json=approval_registrant(1))).json())

    data = (await api.get(f"/api/registrations/{token}/data")).json()

    assert data["stored"]["manager_email"] == MANAGER
    assert data["stored"]["approval_due_at"].startswith("2022-03-09T00:00:00")
    assert {m["kind"] for m in data["mails"]} == {"awaiting_approval", "approval_request"}


async def test_the_course_says_its_manager_approves(api: Client) -> None:
    course = (await api.get(f"/api/courses/{APPROVAL}")).json()
    other = (await api.get("/api/courses/asi-grund-2022")).json()

    assert course["approval_days"] == 7
    assert other["approval_days"] is None
