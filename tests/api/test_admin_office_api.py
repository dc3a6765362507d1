"""The admins' API for employers, mail, statistics and the audit log."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from courses.services.context import ServiceContext
from courses.storage.tables import outbox_table
from tests.api.admin_support import bearer
from tests.api.support import problem_type
from tests.conftest import ASI, fill_asi
from tests.services.admin_support import OTHER_COURSE, OTHER_EMPLOYER, add_other_organizer

Client = AsyncTestClient[Any]
NEW = {"key": "ny", "name": "Ny kommun", "kind": "municipality", "domains": ["ny.se"]}


async def test_an_employer_is_created_changed_and_removed(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)

    created = await api.post("/api/admin/employers", json=NEW, headers=headers)
    taken = await api.post("/api/admin/employers", json=NEW, headers=headers)
    changed = await api.patch(
        "/api/admin/employers/ny", json={"domains": ["ny.se", "skola.ny.se"]}, headers=headers
    )
    removed = await api.delete("/api/admin/employers/ny", headers=headers)

    assert created.status_code == 201, created.text
    assert (taken.status_code, problem_type(taken)) == (409, "conflict")
    assert changed.json()["domains"] == ["ny.se", "skola.ny.se"]
    assert removed.status_code == 204
    keys = [e["key"] for e in (await api.get("/api/admin/employers", headers=headers)).json()]
    assert "ny" not in keys
    audit = (await api.get("/api/admin/audit", headers=headers)).json()
    assert [e["action"] for e in audit[:3]] == [
        "employer.remove",
        "employer.change",
        "employer.create",
    ]


async def test_an_employer_with_registrations_stays(api: Client, seeded: ServiceContext) -> None:
    await fill_asi(seeded, waiting=0)

    refused = await api.delete("/api/admin/employers/vaxjo", headers=await bearer(seeded))

    assert (refused.status_code, problem_type(refused)) == (409, "conflict")
    assert "4 aktiva anmälningar" in refused.json()["detail"]


async def test_failed_mail_is_listed_and_retried(api: Client, seeded: ServiceContext) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    headers = await bearer(seeded)
    async with seeded.db.write() as conn:
        await conn.execute(
            update(outbox_table)
            .where(outbox_table.c.registration_id == seated[0].id)
            .values(status="failed", last_error="550 okänd mottagare")
        )

    failed = (await api.get("/api/admin/mail?status=failed", headers=headers)).json()
    retried = await api.post(f"/api/admin/mail/{failed[0]['id']}/retry", headers=headers)
    again = await api.post(f"/api/admin/mail/{failed[0]['id']}/retry", headers=headers)

    assert {m["recipient"] for m in failed} == {"deltagare1@vaxjo.se"}
    assert failed[0]["course"] == ASI
    assert retried.json()["status"] == "pending"
    assert (again.status_code, problem_type(again)) == (409, "conflict")
    (entry,) = (await api.get("/api/admin/audit?limit=1", headers=headers)).json()
    assert entry["action"] == "mail.retry"


async def test_an_admin_of_one_organizer_sees_nothing_of_another(
    api: Client, seeded: ServiceContext
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    await add_other_organizer(seeded)
    headers_b = await bearer(seeded, organizer="b")

    employers = (await api.get("/api/admin/employers", headers=headers_b)).json()
    stats = (await api.get("/api/admin/stats", headers=headers_b)).json()
    mail = (await api.get("/api/admin/mail", headers=headers_b)).json()
    audit = (await api.get(f"/api/admin/audit?course={ASI}", headers=headers_b)).json()
    cancel = await api.delete(f"/api/admin/registrations/{seated[0].id}", headers=headers_b)
    vaxjo = await api.patch("/api/admin/employers/vaxjo", json={"name": "B"}, headers=headers_b)

    assert [e["key"] for e in employers] == [OTHER_EMPLOYER]
    assert [c["slug"] for c in stats["courses"]] == [OTHER_COURSE]
    assert (mail, audit) == ([], [])
    assert (cancel.status_code, vaxjo.status_code) == (404, 404)


async def test_the_audit_log_pages_backwards(api: Client, seeded: ServiceContext) -> None:
    headers = await bearer(seeded)
    for seats in (5, 6, 7):
        await api.patch(f"/api/admin/courses/{ASI}", json={"seats": seats}, headers=headers)

    first = (await api.get(f"/api/admin/audit?course={ASI}&limit=2", headers=headers)).json()
    rest = (
        await api.get(f"/api/admin/audit?course={ASI}&before={first[-1]['id']}", headers=headers)
    ).json()

    assert [e["details"]["changes"] for e in first + rest] == [
        ["platser: 6 → 7"],
        ["platser: 5 → 6"],
        ["platser: 4 → 5"],
    ]


async def test_the_audit_log_links_to_its_older_entries(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)
    for seats in (5, 6, 7):
        await api.patch(f"/api/admin/courses/{ASI}", json={"seats": seats}, headers=headers)

    first = await api.get(f"/api/admin/audit?course={ASI}&limit=2", headers=headers)
    rest = await api.get(first.links["next"]["url"], headers=headers)
    bad = await api.get("/api/admin/audit?limit=0", headers=headers)

    assert [e["id"] for e in first.json() + rest.json()] == sorted(
        (e["id"] for e in first.json() + rest.json()), reverse=True
    )
    assert len(first.json() + rest.json()) == 3
    assert "link" not in rest.headers
    assert (bad.status_code, bad.json()["errors"][0]["message"]) == (400, "Måste vara minst 1.")
