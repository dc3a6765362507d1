"""The admins' API for cancelling with a reason and moving someone between formats."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from tests.api.admin_support import bearer
from tests.api.support import field_errors, problem_type
from tests.conftest import ASI, fill_asi
from tests.services.admin_support import actions
from tests.services.moves_support import MOVE, add_move_course, in_digital, in_ljungby
from tests.services.outbox_rows import mails_since, outbox_mark

Client = AsyncTestClient[Any]
REASON = "Kursledaren är sjuk.\nNytt datum kommer."


async def test_cancelling_a_course_by_patch_carries_the_reason_and_twice_is_a_conflict(
    api: Client, seeded: ServiceContext
) -> None:
    await fill_asi(seeded, waiting=1)
    headers = await bearer(seeded)
    mark = await outbox_mark(seeded)
    body = {"status": "cancelled", "reason": REASON}

    first = await api.patch(f"/api/admin/courses/{ASI}", json=body, headers=headers)
    again = await api.delete(f"/api/admin/courses/{ASI}/sessions/1", headers=headers)

    assert first.status_code == 200, first.text
    assert {m.payload["reason"] for m in await mails_since(seeded, mark)} == {REASON}
    assert (again.status_code, problem_type(again)) == (409, "conflict")
    assert "redan inställd" in again.json()["detail"]


async def test_a_reason_too_long_or_without_cancelling_is_refused_and_nothing_changes(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)
    url = f"/api/admin/courses/{ASI}"

    long = await api.patch(url, json={"status": "cancelled", "reason": "x" * 2001}, headers=headers)
    stray = await api.patch(url, json={"seats": 5, "reason": "Varför inte."}, headers=headers)

    assert (long.status_code, problem_type(long)) == (400, "validation-error")
    assert "reason" in field_errors(long)
    assert (stray.status_code, problem_type(stray)) == (400, "validation-error")
    assert "reason" in field_errors(stray)
    assert (await api.get(f"/api/courses/{ASI}")).json()["state"] != "cancelled"


async def test_cancelling_a_session_takes_the_reason_as_a_query_parameter(
    api: Client, seeded: ServiceContext
) -> None:
    await fill_asi(seeded, waiting=0)
    headers = await bearer(seeded)
    mark = await outbox_mark(seeded)

    answer = await api.delete(
        f"/api/admin/courses/{ASI}/sessions/2?reason={quote(REASON)}", headers=headers
    )

    assert answer.status_code == 200, answer.text
    assert {m.payload["reason"] for m in await mails_since(seeded, mark)} == {REASON}
    assert (await actions(seeded))[0].details["reason"] == REASON


async def test_cancelling_for_someone_with_a_reason_and_a_reason_that_is_not_text(
    api: Client, seeded: ServiceContext
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    headers = await bearer(seeded)

    bad = await api.delete(
        f"/api/admin/registrations/{seated[0].id}?reason=Sjuk%1B%5B31m", headers=headers
    )
    done = await api.delete(
        f"/api/admin/registrations/{seated[0].id}?reason={quote('Ringde och avanmälde sig.')}",
        headers=headers,
    )

    assert (bad.status_code, problem_type(bad)) == (400, "validation-error")
    assert "reason" in field_errors(bad)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled"
    assert (await actions(seeded))[0].details["reason"] == "Ringde och avanmälde sig."


async def test_moving_someone_to_another_format(api: Client, seeded: ServiceContext) -> None:
    await add_move_course(seeded)
    (me,) = await in_ljungby(seeded, 1)
    headers = await bearer(seeded)

    moved = await api.post(
        f"/api/admin/registrations/{me.id}/move", json={"format": "digital"}, headers=headers
    )

    assert moved.status_code == 200, moved.text
    assert moved.json() == {"id": me.id, "course": MOVE, "status": "confirmed", "promoted": []}


async def test_a_move_into_a_full_format_or_an_unknown_one_is_refused(
    api: Client, seeded: ServiceContext
) -> None:
    await add_move_course(seeded)
    await in_digital(seeded, 1, 2)
    (me,) = await in_ljungby(seeded, 3)
    headers = await bearer(seeded)
    url = f"/api/admin/registrations/{me.id}/move"

    full = await api.post(url, json={"format": "digital"}, headers=headers)
    unknown = await api.post(url, json={"format": "manen"}, headers=headers)
    malformed = await api.post(url, json={"format": "Digital!"}, headers=headers)
    leader = await api.post(
        url, json={"format": "digital"}, headers=await bearer(seeded, role=Role.LEADER)
    )
    nobody = await api.post(url, json={"format": "digital"})

    assert (full.status_code, problem_type(full)) == (409, "conflict")
    assert full.json()["detail"].startswith("Formatet är fullbokat")
    assert (unknown.status_code, problem_type(unknown)) == (400, "validation-error")
    assert "format" in field_errors(unknown)
    assert malformed.status_code == 400
    assert leader.status_code == 403
    assert nobody.status_code == 401
