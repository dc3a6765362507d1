"""The attendee list and attendance over HTTP: leaders see their own courses only, admins
their organizer's, and the exports open safely in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy import select

from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.staff import sign_in as access
from courses.storage.staff_tables import audit_table
from tests.conftest import form
from tests.staff.support import (
    COURSE_A,
    COURSE_B,
    LEADER_A,
    OTHER_COURSE,
    StaffWorld,
    bearer,
)
from tests.staff.test_sign_in import mailed_token

Client = AsyncTestClient[Any]


async def test_without_a_token_the_list_answers_401(api: Client) -> None:
    answer = await api.get(f"/api/courses/{COURSE_A}/attendees")

    assert answer.status_code == 401
    assert answer.json()["type"].endswith("/problems/unauthorized")


async def test_a_leader_reads_their_course_in_queue_order(api: Client, world: StaffWorld) -> None:
    answer = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.leader_a))

    assert answer.status_code == 200
    body = answer.json()
    assert [a["name"] for a in body["attendees"]] == ["Deltagare 1", "Deltagare 2", "Deltagare 3"]
    assert {a["status"] for a in body["attendees"]} == {"confirmed"}
    assert [s["position"] for s in body["sessions"]] == [1, 2]
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("suffix", ["", ".csv", ".xlsx"])
async def test_another_leaders_course_is_as_missing_as_one_that_does_not_exist(
    api: Client, world: StaffWorld, suffix: str
) -> None:
    theirs = await api.get(
        f"/api/courses/{COURSE_A}/attendees{suffix}", headers=bearer(world.leader_b)
    )
    missing = await api.get(
        f"/api/courses/finns-inte/attendees{suffix}", headers=bearer(world.leader_b)
    )

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(COURSE_A, "X") == missing.json()["detail"].replace(
        "finns-inte", "X"
    )


async def test_an_admin_sees_their_organizers_courses_but_not_another_organizers(
    api: Client, world: StaffWorld
) -> None:
    own = await api.get(f"/api/courses/{COURSE_B}/attendees", headers=bearer(world.admin_a))
    other = await api.get(f"/api/courses/{OTHER_COURSE}/attendees", headers=bearer(world.admin_a))
    their_own = await api.get(
        f"/api/courses/{OTHER_COURSE}/attendees", headers=bearer(world.admin_b)
    )
    not_theirs = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.admin_b))

    assert (own.status_code, other.status_code) == (200, 404)
    assert (their_own.status_code, not_theirs.status_code) == (200, 404)


async def test_attendance_is_marked_and_shown(api: Client, world: StaffWorld) -> None:
    listing = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.leader_a))
    first, second = (a["id"] for a in listing.json()["attendees"][:2])

    answer = await api.put(
        f"/api/courses/{COURSE_A}/attendance",
        json={
            "marks": [
                {"registration": first, "session": 1, "attended": True},
                {"registration": second, "session": 1, "attended": False},
            ]
        },
        headers=bearer(world.leader_a),
    )
    again = await api.put(
        f"/api/courses/{COURSE_A}/attendance",
        json={"marks": [{"registration": second, "session": 1, "attended": True}]},
        headers=bearer(world.leader_a),
    )

    assert (answer.status_code, again.status_code) == (200, 200)
    after = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.leader_a))
    marks = {a["id"]: a["attendance"] for a in after.json()["attendees"]}
    assert marks[first] == {"1": True}
    assert marks[second] == {"1": True}


async def test_leader_b_cannot_mark_attendance_on_leader_as_course(
    api: Client, world: StaffWorld
) -> None:
    listing = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.leader_a))
    someone = listing.json()["attendees"][0]["id"]

    answer = await api.put(
        f"/api/courses/{COURSE_A}/attendance",
        json={"marks": [{"registration": someone, "session": 1, "attended": True}]},
        headers=bearer(world.leader_b),
    )

    assert answer.status_code == 404


async def test_attendance_for_a_session_or_person_the_course_lacks_is_refused(
    api: Client, world: StaffWorld
) -> None:
    listing = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.leader_a))
    someone = listing.json()["attendees"][0]["id"]

    answer = await api.put(
        f"/api/courses/{COURSE_A}/attendance",
        json={
            "marks": [
                {"registration": someone, "session": 9, "attended": True},
                {"registration": 999_999, "session": 1, "attended": True},
            ]
        },
        headers=bearer(world.leader_a),
    )

    assert answer.status_code == 400
    fields = [e["field"] for e in answer.json()["errors"]]
    assert fields == ["marks[0].session", "marks[1].registration"]


async def test_a_browser_session_cookie_cannot_change_anything_through_the_api(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    """Cross-site requests carry cookies; only a bearer token may write through the API."""

    await access.request_sign_in(seeded, LEADER_A)
    signed_in = await access.confirm_sign_in(seeded, await mailed_token(seeded))
    assert signed_in is not None
    api.cookies.set("courses_staff", signed_in.cookie)

    read = await api.get(f"/api/courses/{COURSE_A}/attendees")
    write = await api.put(
        f"/api/courses/{COURSE_A}/attendance",
        json={"marks": [{"registration": 1, "session": 1, "attended": True}]},
    )

    assert read.status_code == 200
    assert write.status_code == 401


_DANGEROUS = ['=HYPERLINK("http://x")', "+46 470 1", "-2+3", "@SUM(A1)", "\tTab", "\rRetur"]


async def _register_dangerous(ctx: ServiceContext) -> None:
    for n, name in enumerate(_DANGEROUS, start=10):
        await register(ctx, COURSE_A, form(n, name=name, workplace="=cmd|' /C calc'!A0"))


async def test_csv_opens_in_swedish_excel_and_no_cell_is_a_formula(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    await _register_dangerous(seeded)

    answer = await api.get(f"/api/courses/{COURSE_A}/attendees.csv", headers=bearer(world.leader_a))

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"  # once, not twice
    assert 'filename="deltagare-' in answer.headers["content-disposition"]
    raw = answer.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Namn", "E-post", "Telefon"]
    assert "Närvaro dag 1 (20 april 2022)" in rows[0]
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell or cell[0] not in "=+-@\t\r" for cell in cells)
    assert '\'=HYPERLINK("http://x")' in cells


async def test_xlsx_holds_strings_numbers_and_dates_and_never_a_formula(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    await _register_dangerous(seeded)

    answer = await api.get(
        f"/api/courses/{COURSE_A}/attendees.xlsx", headers=bearer(world.leader_a)
    )

    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 3 + len(_DANGEROUS)
    assert all(cell.data_type != "f" for row in rows for cell in row)
    names = [row[0].value for row in rows]
    assert "Deltagare 1" in names
    assert all(isinstance(v, str) and v[0] not in "=+-@\t\r" for v in names)


async def test_every_export_is_in_the_audit_log(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    for suffix in ("", ".csv", ".xlsx"):
        await api.get(f"/api/courses/{COURSE_A}/attendees{suffix}", headers=bearer(world.leader_a))

    async with seeded.db.read() as conn:
        rows = (
            await conn.execute(
                select(audit_table.c.actor, audit_table.c.details).where(
                    audit_table.c.action == "attendees.export",
                    audit_table.c.course_slug == COURSE_A,
                )
            )
        ).all()
    assert sorted(details["format"] for _, details in rows) == ["csv", "json", "xlsx"]
    assert all("lena.ledare@kronoberg.se" in actor for actor, _ in rows)


@pytest.mark.parametrize("number", [2**31, 2**63])
async def test_a_registration_id_past_the_column_is_a_swedish_400(
    api: Client, world: StaffWorld, number: int
) -> None:
    answer = await api.put(
        f"/api/courses/{COURSE_A}/attendance",
        json={"marks": [{"registration": number, "session": 1, "attended": True}]},
        headers=bearer(world.leader_a),
    )

    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"] == [
        {"field": "marks[0].registration", "message": "Får vara högst 2147483647."}
    ]


async def test_the_list_comes_a_page_at_a_time_when_asked(api: Client, world: StaffWorld) -> None:
    path = f"/api/courses/{COURSE_A}/attendees"
    first = await api.get(f"{path}?limit=2", headers=bearer(world.leader_a))
    rest = await api.get(first.links["next"]["url"], headers=bearer(world.leader_a))
    whole = await api.get(path, headers=bearer(world.leader_a))
    bad = await api.get(f"{path}?limit=1001", headers=bearer(world.leader_a))

    names = [a["name"] for a in first.json()["attendees"] + rest.json()["attendees"]]
    assert names == [a["name"] for a in whole.json()["attendees"]]
    assert (first.json()["total"], rest.json()["total"], len(first.json()["attendees"])) == (
        3,
        3,
        2,
    )
    assert "link" not in rest.headers
    assert "link" not in whole.headers
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "limit")
