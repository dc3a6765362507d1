"""Every kind of calendar file the service makes, read by libical (not by icalendar, which wrote
them): parsed, held to RFC 5546's restrictions for its METHOD, no X-LIC-ERROR anywhere, and its
VTIMEZONE's offset and every event's start in UTC as zoneinfo has them.

The invites come from the mail worker through the real SMTP server (the attached invite.ics), the
files from the app's routes; both databases. See libical.py for how libical is reached.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.calendar.zone import vtimezone
from courses.clock import FixedClock
from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.on_behalf import move_to_format
from courses.services.registration.register import register
from courses.services.schedule.course_edits import cancel_course
from courses.services.schedule.importing import import_schedule
from tests.conftest import form
from tests.conftest import registrant as body
from tests.ics.libical import IcsFile, assert_libical_accepts, require_libical
from tests.ics.test_zone import ZONES
from tests.mail import parse
from tests.mail.invite_scenarios import DST, DST_SCHEDULE
from tests.mail.scenarios import ASI, ATERFALL, LVM, course_spec, deliver, reimport
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer
from tests.services.admin_support import admin_of

EVENING = "kvallsforelasning-2022"  # one timed session
YEARS = "over-nyar-2022"  # timed sessions in 2022 and 2023, the second on a change to summer time
SCHEDULE = f"""
[[course]]
slug = "{EVENING}"
title = "Kvällsföreläsning"
deadline = 2022-04-01
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-04-05
start = 18:00:00
end = 20:00:00

[[course]]
slug = "{YEARS}"
title = "Kurs över nyår"
deadline = 2022-11-01
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-12-15
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2023-03-26
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2023-10-29
start = 13:00:00
end = 15:30:00
"""


# Those of test_zone's zones that change their clocks (that test covers all of them without
# libical, this one is slower).
LIBICAL_ZONES = [z for z in ZONES if z not in ("America/Sao_Paulo", "Asia/Tokyo", "UTC")]


@pytest.fixture(scope="module", autouse=True)
def _libical() -> None:
    require_libical()


@pytest.fixture
async def courses(seeded: ServiceContext) -> ServiceContext:
    """The seeded courses plus one-evening, over-the-new-year and clock-change courses."""
    await import_schedule(seeded, parse_schedule(SCHEDULE))
    await import_schedule(seeded, parse_schedule(DST_SCHEDULE))
    return seeded


def test_vtimezone_of_zones_that_change_agrees_with_zoneinfo_in_libical_2020_to_2035() -> None:
    files = []
    for tzid in LIBICAL_ZONES:
        head = "BEGIN:VCALENDAR\r\nPRODID:-//test//SV\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n"
        events = "".join(
            "BEGIN:VEVENT\r\n"
            f"UID:{year}@test\r\nDTSTAMP:20220301T090000Z\r\n"
            f"DTSTART;TZID={tzid}:{year}0615T090000\r\nSUMMARY:x\r\n"
            "ORGANIZER:mailto:utbildning@localhost\r\nEND:VEVENT\r\n"
            for year in (2020, 2035)
        )
        ics = head.encode() + vtimezone(tzid, 2020, 2035) + (events + "END:VCALENDAR\r\n").encode()
        files.append(IcsFile.of(tzid, ics))

    assert_libical_accepts(files)

    stockholm = files[LIBICAL_ZONES.index("Europe/Stockholm")]
    assert len(stockholm.instants) > 16 * 365 + 2 * 32  # every day, both sides of every change


async def test_every_kind_of_invite_the_worker_mails_is_accepted(
    courses: ServiceContext, smtp: SmtpServer
) -> None:
    worker = MailWorker(courses, SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), name="test")
    admin = await admin_of(courses)
    evening = await register(courses, EVENING, form(1))
    await register(courses, YEARS, form(1))
    await register(courses, DST, form(1))
    await register(courses, LVM, form(1))
    moved = await register(courses, ATERFALL, form(1, format="ljungby"))
    asi = [await register(courses, ASI, form(n)) for n in range(1, 6)]  # the fifth waits
    await deliver(worker)
    # A format change, a moved and a removed session, a cancellation by the registrant (and the
    # waiting one promoted), a cancelled course.
    await move_to_format(courses, admin, moved.id, "digital")
    spec = course_spec(parse_schedule(SCHEDULE), YEARS)
    first = msgspec.structs.replace(spec.session[0], date=date(2022, 12, 16))
    await reimport(courses, msgspec.structs.replace(spec, session=[first, spec.session[1]]))
    await cancel_registration(courses, evening.token)
    await cancel_registration(courses, asi[1].token)
    await cancel_course(courses, admin, DST)
    await deliver(worker)

    files, methods = [], Counter[str]()
    for n, message in enumerate(smtp.messages):
        part = parse.calendar_part(message)
        if part is None:
            continue
        _, ics = parse.attachment(message)
        methods[str(part.get_param("method"))] += 1
        name = f"{n}: {message['Subject']} ({message['To']})"
        # The attached invite.ics, and the text/calendar alternative as the client decodes it.
        files.append(IcsFile.of(name, ics))
        files.append(IcsFile.of(f"{name}, text/calendar", part.get_content().encode()))
    assert_libical_accepts(files)

    # REQUEST: confirmed 1 + 3 + 2 + 1 + 2 + 4 * 4, moved 2, changed 2, promoted 4.
    # CANCEL: the removed session 1, by the registrants 1 + 4, the course cancelled 2.
    assert methods == {"REQUEST": 33, "CANCEL": 8}
    assert any(f.tzid is None for f in files)  # all-day sessions need no zone
    # One session an invite, so one year of zone each: 2022's, and 2023's for the sessions then.
    assert {(f.instants[0].year, f.instants[-1].year) for f in files if f.tzid} == {
        (2022, 2022),
        (2023, 2023),
    }


async def _files(client: AsyncTestClient[Any], tokens: dict[str, str]) -> list[IcsFile]:
    files = []
    slugs = [course["slug"] for course in (await client.get("/api/courses")).json()]
    for path in [f"/api/courses/{slug}/calendar.ics" for slug in slugs] + [
        f"/api/registrations/{token}/invite.ics" for token in tokens.values()
    ]:
        response = await client.get(path)
        assert response.status_code == 200, path
        files.append(IcsFile.of(path, response.content))
    return files


@pytest.mark.parametrize("tzid", ["Europe/Stockholm", "America/New_York"])
async def test_every_calendar_file_of_the_api_is_accepted(
    courses: ServiceContext, clock: FixedClock, tzid: str
) -> None:
    admin = await admin_of(courses)
    await cancel_course(courses, admin, DST)  # its public calendar says CANCELLED
    app = create_app(replace(courses.settings, timezone=tzid), clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        tokens = {}
        for slug, fields in [
            (EVENING, {}),
            (YEARS, {}),
            (ASI, {}),
            (ATERFALL, {"format": "digital"}),
        ]:
            created = await client.post(
                f"/api/courses/{slug}/registrations", json=body(1, **fields)
            )
            assert created.status_code == 201, created.text
            tokens[slug] = created.json()["manage_url"].rsplit("/", 1)[1]
        files = await _files(client, tokens)
        dst = (await client.get(f"/api/courses/{DST}/calendar.ics")).content
        files.append(IcsFile.of(f"{DST} (inställd)", dst))

    answers = assert_libical_accepts(files)

    assert len(files) >= 4 + 4
    assert {a["method"] for a in answers} == {"PUBLISH"}
    assert b"STATUS:CANCELLED" in dst
    assert {f.tzid for f in files} == {tzid, None}
    # A file with sessions in two years has the zone of both.
    assert any(f.instants[0].year == 2022 and f.instants[-1].year == 2023 for f in files if f.tzid)
