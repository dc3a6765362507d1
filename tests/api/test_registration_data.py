"""The registerutdrag: `GET /api/registrations/{token}/data` and the manage page's download hold
everything stored about the registrant, their mails included; a purged one is gone."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.attendance.attendees import set_attendance
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.retention.purge import purge
from courses.settings import Rate
from courses.storage.attendees import Mark
from tests.api.support import problem_type
from tests.conftest import ASI, fill_asi, local
from tests.services.retention_support import (
    A_YEAR_AFTER_LVM,
    LVM,
    STAFF,
    person,
    register_people,
)

Client = AsyncTestClient[Any]


async def _at_lvm(seeded: ServiceContext, clock: FixedClock) -> str:
    """Kim registered for LVM and was marked present at its one session; their token."""
    (kim,) = await register_people(seeded, LVM, range(1, 2))
    clock.set(local(2022, 3, 29, 17, 0))
    await set_attendance(seeded, STAFF, LVM, [Mark(kim.receipt.id, 1, True)])
    return kim.receipt.token


async def test_the_api_extract_holds_registration_course_employer_attendance_and_mails(
    api: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    token = await _at_lvm(seeded, clock)
    kim = person(1)

    response = await api.get(f"/api/registrations/{token}/data")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    data = response.json()
    mine = data["registration"]
    assert (mine["name"], mine["email"], mine["phone"], mine["workplace"], mine["message"]) == (
        kim.name,
        kim.email,
        kim.phone,
        kim.workplace,
        kim.message,
    )
    assert mine["status"] == "confirmed"
    assert mine["course"]["slug"] == LVM
    assert [s["date"] for s in mine["course"]["sessions"]] == ["2022-03-29"]
    assert data["employer"] == {"key": "vaxjo", "name": "Växjö kommun"}
    assert data["stored"]["email_key"] == kim.email
    assert data["attendance"] == [
        {"session": 1, "attended": True, "marked_at": "2022-03-29T17:00:00+02:00"}
    ]
    (confirmation, *_) = data["mails"]
    assert confirmation["kind"] == "confirmed"
    assert confirmation["status"] == "pending"
    assert confirmation["about"].startswith("Bekräftelse på din plats")
    assert confirmation["created_at"] == "2022-03-01T10:00:00+01:00"
    assert token not in response.text


async def test_a_waitlisted_registrants_mail_says_their_place(
    api: Client, seeded: ServiceContext
) -> None:
    _, (waiting,) = await fill_asi(seeded, waiting=1)

    data = (await api.get(f"/api/registrations/{waiting.token}/data")).json()

    assert [(m["kind"], m["content"]) for m in data["mails"]] == [
        ("waitlisted", ["Din plats på reservlistan: 1."])
    ]
    assert data["attendance"] == []


async def test_the_page_download_holds_the_same_attendance_and_mails(
    api: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    token = await _at_lvm(seeded, clock)

    from_api = (await api.get(f"/api/registrations/{token}/data")).json()
    page = await api.get(f"/anmalan/{token}/registerutdrag")

    assert page.status_code == 200
    document = json.loads(page.content)
    assert document["närvaro"] == [
        {"kursdag": 1, "närvarande": True, "markerad": "2022-03-29T17:00:00+02:00"}
    ]
    assert [m["innehåll"] for m in document["mejl"]] == [m["about"] for m in from_api["mails"]]
    assert document["anmälan"]["telefonnummer"] == person(1).phone


async def test_a_purged_registrants_extract_is_not_found(
    api: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    token = await _at_lvm(seeded, clock)
    assert (await api.get(f"/api/registrations/{token}/data")).status_code == 200  # control

    clock.set(A_YEAR_AFTER_LVM)
    await purge(seeded)

    api_answer = await api.get(f"/api/registrations/{token}/data")
    page = await api.get(f"/anmalan/{token}/registerutdrag")
    assert api_answer.status_code == 404
    assert problem_type(api_answer) == "course-not-found"
    assert page.status_code == 404


async def test_the_extract_counts_against_the_tokens_limit(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    receipt = await register(seeded, ASI, person(1).form())
    settings = replace(seeded.settings, token_rate=Rate(2, 600))
    async with AsyncTestClient(create_app(settings, clock=clock)) as api:
        uses = [await api.get(f"/api/registrations/{receipt.token}/data") for _ in range(3)]

    assert [r.status_code for r in uses] == [200, 200, 429]
    assert problem_type(uses[2]) == "too-many-requests"
