"""The certificate (intyg): offered on the manage page once a leader marked the registrant
present at every session, never before."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.services.attendance.attendees import Mark, set_attendance
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.staff.sign_in import actor_for_email
from tests.conftest import form
from tests.staff.support import COURSE_A, LEADER_A, StaffWorld

Client = AsyncTestClient[Any]


async def _registered(ctx: ServiceContext) -> tuple[str, int]:
    receipt = await register(ctx, COURSE_A, form(50, name="Karin Åberg"))
    return receipt.token, receipt.id


async def test_no_certificate_before_every_session_is_attended(
    api: Client, seeded: ServiceContext, world: StaffWorld
) -> None:
    token, registration = await _registered(seeded)
    leader = await actor_for_email(seeded, LEADER_A)
    await set_attendance(seeded, leader, COURSE_A, [Mark(registration, 1, True)])

    manage = await api.get(f"/anmalan/{token}")
    page = await api.get(f"/anmalan/{token}/intyg")

    assert "/intyg" not in manage.text
    assert page.status_code == 409
    assert "alla kursdagar" in page.text


async def test_a_registrant_present_every_day_opens_a_printable_certificate(
    api: Client, seeded: ServiceContext, world: StaffWorld
) -> None:
    token, registration = await _registered(seeded)
    leader = await actor_for_email(seeded, LEADER_A)
    await set_attendance(
        seeded, leader, COURSE_A, [Mark(registration, 1, True), Mark(registration, 2, True)]
    )

    manage = await api.get(f"/anmalan/{token}")
    page = await api.get(f"/anmalan/{token}/intyg")

    assert f'href="/anmalan/{token}/intyg"' in manage.text
    assert page.status_code == 200
    for fact in (
        "Karin Åberg",
        "Återfallsprevention för ledare A",
        "20 april 2022",
        "27 april 2022",
        "10,5 timmar",
        "Lena Ledare",
        "Integrerad missbruks- och beroendemottagning, Region Kronoberg",
    ):
        assert fact in page.text
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_absent_on_one_day_means_no_certificate(
    api: Client, seeded: ServiceContext, world: StaffWorld
) -> None:
    token, registration = await _registered(seeded)
    leader = await actor_for_email(seeded, LEADER_A)
    await set_attendance(
        seeded, leader, COURSE_A, [Mark(registration, 1, True), Mark(registration, 2, False)]
    )

    assert (await api.get(f"/anmalan/{token}/intyg")).status_code == 409
