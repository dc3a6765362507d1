"""POST /api/courses/{slug}/registrations and the registrant's own /api/registrations/{token}."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.services.seats import fair_seats
from tests.conftest import local
from tests.conftest import registrant as body

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"


def problem_type(response: Any) -> str:
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["type"].rsplit("/", 1)[1])


def token_of(created: dict[str, Any]) -> str:
    return str(created["manage_url"].rsplit("/", 1)[1])


async def test_registration_is_created_with_a_manage_link(api: Client) -> None:
    response = await api.post(ASI, json=body(phone="0470-123 45", message="Vegetarisk lunch"))

    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "confirmed"
    assert created["waitlist_position"] is None
    assert created["manage_url"].startswith("http://kurser.test/anmalan/")
    mine = (await api.get(f"/api/registrations/{token_of(created)}")).json()
    assert mine["status"] == "confirmed"
    assert mine["employer_name"] == "Växjö kommun"
    assert mine["message"] == "Vegetarisk lunch"
    assert mine["course"]["slug"] == "asi-grund-2022"
    assert mine["can_cancel"] is True


async def test_fifth_registrant_hears_their_waitlist_position(api: Client) -> None:
    for n in range(4):
        await api.post(ASI, json=body(n))

    fifth = (await api.post(ASI, json=body(5))).json()

    assert (fifth["status"], fifth["waitlist_position"]) == ("waitlisted", 1)


async def test_cancel_by_token_frees_the_seat_and_the_token_is_used_up(api: Client) -> None:
    token = token_of((await api.post(ASI, json=body())).json())

    cancelled = await api.delete(f"/api/registrations/{token}")
    again = await api.delete(f"/api/registrations/{token}")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["can_cancel"] is False
    assert again.status_code == 404
    assert problem_type(again) == "course-not-found"
    assert (await api.get("/api/courses/asi-grund-2022")).json()["seats_left"] == 4


async def test_unknown_token_is_not_found(api: Client) -> None:
    response = await api.get("/api/registrations/nope")

    assert response.status_code == 404
    assert problem_type(response) == "course-not-found"


async def test_second_registration_with_the_same_email_does_not_reveal_the_first(
    api: Client,
) -> None:
    await api.post(ASI, json=body(email="Anna@Vaxjo.se"))

    response = await api.post(ASI, json=body(email="anna@vaxjo.se"))

    assert response.status_code == 409
    assert problem_type(response) == "already-registered"
    assert "/api/registrations/" not in response.text


async def test_invalid_body_lists_every_field_in_swedish(api: Client) -> None:
    response = await api.post(
        ASI, json={"name": "", "email": "inte-en-adress", "employer": "vaxjo", "extra": 1}
    )

    assert response.status_code == 400
    assert problem_type(response) == "validation-error"
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert errors == {
        "extra": "Okänt fält.",
        "name": "Får inte vara tomt.",
        "email": "Ange en giltig e-postadress, t.ex. fornamn.efternamn@vaxjo.se.",
        "workplace": "Fältet måste anges.",
        "works_in_field": "Fältet måste anges.",
    }


@pytest.mark.parametrize("name", ["Anna\r\nBcc: evil@example.com", "Anna\tAndersson", "   "])
async def test_a_name_with_a_line_break_or_control_character_is_refused_in_swedish(
    api: Client, name: str
) -> None:
    response = await api.post(ASI, json=body(name=name, workplace="Mottagningen\n"))

    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    refused = "Får inte vara tomt eller innehålla radbrytningar eller andra kontrolltecken."
    assert errors == {"name": refused, "workplace": refused}


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b"\xff"])
async def test_malformed_json_is_a_validation_error(api: Client, raw: bytes) -> None:
    response = await api.post(ASI, content=raw, headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert problem_type(response) == "validation-error"


async def test_registration_after_the_deadline_is_closed(api: Client, clock: FixedClock) -> None:
    clock.set(local(2022, 9, 2, 0, 0))

    response = await api.post(ASI, json=body())

    assert response.status_code == 409
    assert problem_type(response) == "registration-closed"
    assert "1 september 2022" in response.json()["detail"]


async def test_not_working_in_the_field_is_not_eligible(api: Client) -> None:
    response = await api.post(ASI, json=body(works_in_field=False))

    assert response.status_code == 422
    assert problem_type(response) == "not-eligible"


async def test_private_address_is_not_eligible(api: Client) -> None:
    response = await api.post(ASI, json=body(email="anna@gmail.com"))

    assert response.status_code == 422
    assert "vaxjo.se" in response.json()["detail"]


async def test_a_course_with_two_formats_needs_one_chosen(api: Client) -> None:
    response = await api.post("/api/courses/hap-2022/registrations", json=body())

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "format"


async def test_unexpected_failure_is_a_problem_without_internals(
    api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(fair_seats, "enrol_mailed", broken)

    response = await api.post(ASI, json=body())

    assert response.status_code == 500
    assert problem_type(response) == "internal-error"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


SEMINAR = """
[[course]]
slug = "litet-seminarium"
title = "Litet seminarium"
opens = 2022-04-01
deadline = 2022-05-01
seats = 1
waitlist = false
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-05-10
"""


async def test_not_yet_open_and_full_without_waitlist_are_conflicts(
    api: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    await import_schedule(seeded, parse_schedule(SEMINAR))
    url = "/api/courses/litet-seminarium/registrations"

    early = await api.post(url, json=body(1))
    clock.set(local(2022, 4, 1, 0, 0))
    first = await api.post(url, json=body(1))
    second = await api.post(url, json=body(2))

    assert (early.status_code, problem_type(early)) == (409, "not-yet-open")
    assert first.status_code == 201
    assert (second.status_code, problem_type(second)) == (409, "course-full")
