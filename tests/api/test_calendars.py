"""The .ics files of the API (a course's public schedule, a registrant's own sessions) and, at
app level, the confirmation mail sent by the app's own mail worker."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from icalendar import Calendar, Event
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from courses.api import create_app
from courses.calendar import session_uid
from courses.cli.mail import run_mail
from courses.clock import FixedClock
from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.storage.tables import outbox_table
from tests.conftest import registrant as body
from tests.mail.parse import calendar
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer

Client = AsyncTestClient[Any]

ASI = "asi-grund-2022"  # four all-day sessions, four seats
ATERFALL = "aterfallsprevention-2022"  # two sessions, on site in Ljungby or digital

DIGITAL_SEMINAR = """
[[course]]
slug = "digitalt-seminarium"
title = "Digitalt seminarium"
deadline = 2022-05-01
[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "https://meet.example.se/hemligt-mote"
[[course.session]]
date = 2022-05-10
start = 13:00:00
end = 15:00:00
[[course.session]]
date = 2022-05-17
start = 13:00:00
end = 15:00:00
"""


def problem(response: Any) -> tuple[int, str, str]:
    """Status, the `type` suffix and the Swedish detail of a problem+json answer."""
    assert response.headers["content-type"].startswith("application/problem+json")
    found = response.json()
    return response.status_code, str(found["type"].rsplit("/", 1)[1]), str(found["detail"])


def token_of(created: dict[str, Any]) -> str:
    return str(created["manage_url"].rsplit("/", 1)[1])


def parse_ics(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def start_day(event: Event) -> date:
    start = event.decoded("dtstart")
    return start.date() if isinstance(start, datetime) else start


async def register(api: Client, slug: str, n: int | str, **fields: Any) -> dict[str, Any]:
    response = await api.post(f"/api/courses/{slug}/registrations", json=body(n, **fields))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# --- GET /api/courses/{slug}/calendar.ics ----------------------------------------------------


async def test_course_calendar_publishes_one_event_per_session(api: Client) -> None:
    response = await api.get(f"/api/courses/{ASI}/calendar.ics")

    ics = parse_ics(response)
    assert str(ics["METHOD"]) == "PUBLISH"
    events = ics.events
    assert [start_day(e) for e in events] == [
        date(2022, 9, 14),
        date(2022, 9, 15),
        date(2022, 11, 10),
        date(2023, 5, 4),
    ]
    # All-day sessions: DATE values with an exclusive end.
    assert all(e.decoded("dtend") == e.decoded("dtstart") + timedelta(days=1) for e in events)
    assert len({str(e["UID"]) for e in events}) == 4
    assert all("attendee" not in e for e in events)
    # RFC 5546 requires an ORGANIZER in a published event too: the sender.
    assert {str(e["ORGANIZER"]) for e in events} == {"mailto:utbildning@localhost"}


async def test_course_calendar_never_carries_the_meeting_link(
    api: Client, seeded: ServiceContext
) -> None:
    await import_schedule(seeded, parse_schedule(DIGITAL_SEMINAR))

    response = await api.get("/api/courses/digitalt-seminarium/calendar.ics")

    ics = parse_ics(response)
    assert len(ics.events) == 2
    assert "meet.example.se" not in response.text
    assert "hemligt-mote" not in response.text


async def test_calendar_of_an_unknown_course_is_a_swedish_404_problem(api: Client) -> None:
    response = await api.get("/api/courses/finns-inte/calendar.ics")

    status, code, detail = problem(response)
    assert (status, code) == (404, "course-not-found")
    assert "finns ingen kurs" in detail


# --- GET /api/registrations/{token}/invite.ics -----------------------------------------------


async def test_invite_of_a_confirmed_registration_holds_all_its_sessions_with_stable_uids(
    api: Client, seeded: ServiceContext
) -> None:
    created = await register(api, ATERFALL, 1, format="ljungby")

    response = await api.get(f"/api/registrations/{token_of(created)}/invite.ics")

    ics = parse_ics(response)
    assert str(ics["METHOD"]) == "PUBLISH"
    assert [start_day(e) for e in ics.events] == [date(2022, 4, 5), date(2022, 4, 6)]
    assert [str(e["UID"]) for e in ics.events] == [
        session_uid(seeded.settings, created["id"], 1),
        session_uid(seeded.settings, created["id"], 2),
    ]
    assert all(str(e["LOCATION"]) == "Ljungby" for e in ics.events)


async def test_invite_file_uses_the_same_uids_as_the_invite_mails(
    api: Client, seeded: ServiceContext, smtp: SmtpServer
) -> None:
    created = await register(api, ATERFALL, 1, format="digital")
    await MailWorker(seeded, SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), name="test").drain()

    response = await api.get(f"/api/registrations/{token_of(created)}/invite.ics")

    mails = smtp.to("deltagare1@vaxjo.se")
    assert len(mails) == 2  # one invite message per session
    mailed = sorted(str(event["UID"]) for m in mails for event in calendar(m).events)
    assert sorted(str(e["UID"]) for e in parse_ics(response).events) == mailed


async def test_waitlisted_registration_has_no_invite(api: Client) -> None:
    for n in range(4):
        await register(api, ASI, n)
    waitlisted = await register(api, ASI, "reserv")
    assert waitlisted["status"] == "waitlisted"

    response = await api.get(f"/api/registrations/{token_of(waitlisted)}/invite.ics")

    status, code, detail = problem(response)
    assert (status, code) == (409, "no-invite")
    assert "reservlistan" in detail


async def test_cancelled_registration_has_no_invite(api: Client) -> None:
    created = await register(api, ASI, 1)
    token = token_of(created)
    assert (await api.delete(f"/api/registrations/{token}")).status_code == 200

    response = await api.get(f"/api/registrations/{token}/invite.ics")

    status, code, detail = problem(response)
    assert (status, code) == (409, "no-invite")
    assert "avanmäld" in detail


async def test_invite_of_an_unknown_token_is_not_found(api: Client) -> None:
    response = await api.get("/api/registrations/finns-inte/invite.ics")

    status, code, _ = problem(response)
    assert (status, code) == (404, "course-not-found")


# --- the app's own mail worker ---------------------------------------------------------------


async def test_app_with_its_mail_worker_sends_the_confirmation_after_registering(
    seeded: ServiceContext, clock: FixedClock, smtp: SmtpServer
) -> None:
    app = create_app(
        seeded.settings,
        clock=clock,
        background=[run_mail(SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT))],
    )
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        created = await register(client, "lvm-forelasning-2022", 1)
        mails: list[EmailMessage] = []
        deadline = asyncio.get_running_loop().time() + 20
        while not mails and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
            mails = smtp.to("deltagare1@vaxjo.se")

    async with seeded.db.read() as conn:
        row = (await conn.execute(select(outbox_table))).one()
    assert row.registration_id == created["id"]
    assert row.status == "sent"
    assert len(mails) == 1
    assert str(mails[0]["Message-ID"]) == f"<{row.message_id}@localhost>"
    assert str(mails[0]["Subject"]).startswith("Anmälan bekräftad")
    [event] = calendar(mails[0]).events
    assert str(event["UID"]) == session_uid(seeded.settings, created["id"], 1)
