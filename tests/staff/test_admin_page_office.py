"""/admin shows the organizer's unsent mail with a retry button, statistics per course and
employer, and its employers; the staff API answers are never cached."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.services.staff import api_tokens
from courses.services.staff import sign_in as access
from courses.storage.tables import outbox_table
from tests.staff.support import COURSE_A, StaffWorld, bearer
from tests.staff.test_sign_in import mailed_token

Client = AsyncTestClient[Any]


async def _signed_in_admin(api: Client, ctx: ServiceContext) -> None:
    await api_tokens.add_account(
        ctx, "admin@kronoberg.se", Role.ADMIN, organizer_key="kronoberg-beroende"
    )
    await access.request_sign_in(ctx, "admin@kronoberg.se")
    signed_in = await access.confirm_sign_in(ctx, await mailed_token(ctx))
    assert signed_in is not None
    api.cookies.set("courses_staff", signed_in.cookie)


async def _csrf(api: Client) -> str:
    page = await api.get("/admin")
    return page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]


async def test_admin_page_shows_statistics_employers_and_failed_mail_with_retry(
    api: Client, seeded: ServiceContext, world: StaffWorld
) -> None:
    async with seeded.db.write() as conn:
        await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.registration_id.is_not(None))
            .values(status="failed", last_error="550 Mailbox unavailable")
        )
    await _signed_in_admin(api, seeded)

    page = await api.get("/admin")

    assert page.status_code == 200
    assert "Återfallsprevention för ledare A" in page.text
    assert "Växjö kommun" in page.text
    assert "vaxjo.se" in page.text
    assert "550 Mailbox unavailable" in page.text
    assert "Skicka igen" in page.text
    assert "Beroendecentrum" not in page.text  # another organizer's


async def test_the_retry_button_queues_a_failed_mail_again(
    api: Client, seeded: ServiceContext, world: StaffWorld
) -> None:
    async with seeded.db.write() as conn:
        found = await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.registration_id.is_not(None))
            .values(status="failed", last_error="550 nej")
            .returning(outbox_table.c.id)
        )
        failed = sorted(found.scalars())
    await _signed_in_admin(api, seeded)
    csrf = await _csrf(api)

    answer = await api.post(
        f"/admin/mejl/{failed[0]}/skicka-igen",
        data={"_csrf_token": csrf},
        follow_redirects=False,
    )
    page = await api.get(answer.headers["location"])

    assert answer.status_code == 303
    assert f"Mejl {failed[0]} skickas igen" in page.text
    async with seeded.db.read() as conn:
        status = (
            await conn.execute(outbox_table.select().where(outbox_table.c.id == failed[0]))
        ).first()
    assert status is not None
    assert status.status == "pending"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/admin/mejl/{}/skicka-igen"),
        ("POST", "/admin/personal/tokens/{}/aterkalla"),
        ("POST", "/admin/personal/administratorer/{}/ta-bort"),
        ("GET", f"/kursledare/{COURSE_A}/deltagare/{{}}/avanmal"),
        ("POST", f"/kursledare/{COURSE_A}/deltagare/{{}}/flytta-upp"),
    ],
)
async def test_an_id_past_the_column_is_the_page_of_a_missing_one(
    api: Client, seeded: ServiceContext, world: StaffWorld, method: str, path: str
) -> None:
    await _signed_in_admin(api, seeded)
    form = {"_csrf_token": await _csrf(api)} if method == "POST" else None

    past = await api.request(method, path.format(2**63), data=form, follow_redirects=False)
    missing = await api.request(method, path.format(2**31 - 1), data=form)

    assert past.status_code == missing.status_code == 404, past.text
    assert past.headers["content-type"].startswith("text/html")
    assert _heading(past.text) == _heading(missing.text)


def _heading(page: str) -> str:
    return page.split("<h1", 1)[1].split("</h1>", 1)[0]


async def test_staff_api_answers_are_never_stored(api: Client, world: StaffWorld) -> None:
    listing = await api.get(f"/api/courses/{COURSE_A}/attendees.csv", headers=bearer(world.admin_a))
    stats = await api.get("/api/admin/stats", headers=bearer(world.admin_a))

    assert listing.headers["cache-control"] == "no-store"
    assert stats.headers["cache-control"] == "no-store"
