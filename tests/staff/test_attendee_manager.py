"""On a course whose manager approves, the attendee list, its CSV/XLSX exports and its JSON
name each registration's manager ("Chef (godkänner)"); other courses' lists do not."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from courses.domain.rules import RegistrationStatus
from courses.export import csv_chunks
from courses.schedule import parse_schedule
from courses.services.attendance.attendees import AttendeeList, AttendeeRow
from courses.services.attendance.export import MANAGER_COLUMN, attendee_sheet
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.storage.courses import load_course
from tests.approval_support import APPROVAL, APPROVAL_COURSE, MANAGER, approval_form
from tests.staff.support import COURSE_A, LEADER_A, StaffWorld, bearer
from tests.staff.test_admin_page_office import _signed_in_admin

Client = AsyncTestClient[Any]
OTHER_MANAGER = "chef.annan@vaxjo.se"
ORGANIZER = """
[organizer]
key = "kronoberg-beroende"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"
"""


async def _approval_course_of_leader_a(ctx: ServiceContext) -> None:
    """The approval course, led by leader A, with two registrations waiting for two
    managers."""
    toml = APPROVAL_COURSE.replace("anna.hamle@kronoberg.se", LEADER_A)
    await import_schedule(ctx, parse_schedule(ORGANIZER + toml))
    await register(ctx, APPROVAL, approval_form(1))
    await register(ctx, APPROVAL, approval_form(2, manager_email=OTHER_MANAGER))


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


async def test_the_csv_names_each_manager_after_the_workplace(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    await _approval_course_of_leader_a(seeded)

    answer = await api.get(f"/api/courses/{APPROVAL}/attendees.csv", headers=bearer(world.leader_a))

    assert answer.status_code == 200
    header, *rows = _csv_rows(answer.content)
    column = header.index(MANAGER_COLUMN)
    assert header[column - 1] == "Arbetsplats"
    assert {row[0]: row[column] for row in rows} == {
        "Deltagare 1": MANAGER,
        "Deltagare 2": OTHER_MANAGER,
    }
    assert all(len(row) == len(header) for row in rows)


async def test_the_xlsx_names_each_manager(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    await _approval_course_of_leader_a(seeded)

    answer = await api.get(
        f"/api/courses/{APPROVAL}/attendees.xlsx", headers=bearer(world.leader_a)
    )

    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    column = header.index(MANAGER_COLUMN)
    assert {row[0]: row[column] for row in rows} == {
        "Deltagare 1": MANAGER,
        "Deltagare 2": OTHER_MANAGER,
    }


async def test_a_course_without_approval_has_no_manager_column(
    api: Client, world: StaffWorld
) -> None:
    answer = await api.get(f"/api/courses/{COURSE_A}/attendees.csv", headers=bearer(world.leader_a))
    listing = await api.get(f"/api/courses/{COURSE_A}/attendees", headers=bearer(world.leader_a))

    header = _csv_rows(answer.content)[0]
    assert "Arbetsplats" in header  # control: the same header otherwise
    assert MANAGER_COLUMN not in header
    assert {a["manager_email"] for a in listing.json()["attendees"]} == {None}


async def test_the_json_list_names_each_manager(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    await _approval_course_of_leader_a(seeded)

    body = (
        await api.get(f"/api/courses/{APPROVAL}/attendees", headers=bearer(world.leader_a))
    ).json()

    assert {a["name"]: (a["status"], a["manager_email"]) for a in body["attendees"]} == {
        "Deltagare 1": ("pending_approval", MANAGER),
        "Deltagare 2": ("pending_approval", OTHER_MANAGER),
    }


async def test_the_leaders_page_has_the_manager_column(api: Client, seeded: ServiceContext) -> None:
    await _approval_course_of_leader_a(seeded)
    await _signed_in_admin(api, seeded)

    with_approval = (await api.get(f"/kursledare/{APPROVAL}")).text
    without = (await api.get(f"/kursledare/{COURSE_A}")).text

    assert '<th scope="col">Chef (godkänner)</th>' in with_approval
    assert f'<a href="mailto:{MANAGER}">{MANAGER}</a>' in with_approval
    assert "Chef (godkänner)" not in without


async def test_a_manager_cell_that_could_start_a_formula_is_neutralised(
    seeded: ServiceContext,
) -> None:
    async with seeded.db.read() as conn:
        course = await load_course(conn, "asi-grund-2022")
    assert course is not None
    course_with_approval = replace(course, approval_days=7)
    row = AttendeeRow(
        registration_id=1,
        name="Deltagare",
        email="deltagare@vaxjo.se",
        phone=None,
        employer="Växjö kommun",
        workplace="Beroende",
        format_key=None,
        format_label="",
        status=RegistrationStatus.PENDING_APPROVAL,
        waitlist_position=None,
        registered_at=datetime(2022, 3, 1, 9, tzinfo=UTC),
        attendance={},
        manager_email='=HYPERLINK("http://x")',
    )

    sheet = attendee_sheet(AttendeeList(course_with_approval, [row]))
    header, cells = _csv_rows(b"".join(csv_chunks(sheet)))

    assert cells[header.index(MANAGER_COLUMN)] == '\'=HYPERLINK("http://x")'
