"""What course changes, cancellations and reminders mail, and who gets the meeting link."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from courses.clock import FixedClock
from courses.mail.worker import MailWorker
from courses.schedule import Schedule, parse_schedule
from courses.services.context import ServiceContext
from courses.services.outbox.reminders import queue_reminders
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.conftest import fill_asi, form, local
from tests.mail import parse
from tests.mail.scenarios import (
    ASI,
    LVM,
    MEETING_URL,
    MIXED,
    MIXED_SCHEDULE,
    course_spec,
    deliver,
    method_param,
    reimport,
)
from tests.mail.smtp_server import SmtpServer

# Course changed and cancelled ------------------------------------------------------------------


async def test_moved_session_is_mailed_with_the_change_and_invite_updates(
    seeded: ServiceContext,
    worker: MailWorker,
    smtp: SmtpServer,
    seed_schedule: Schedule,
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    before = len(smtp.messages)
    spec = course_spec(seed_schedule, ASI)
    first = msgspec.structs.replace(spec.session[0], date=spec.session[0].date + timedelta(days=2))

    await reimport(seeded, msgspec.structs.replace(spec, session=[first, *spec.session[1:]]))
    await deliver(worker)

    messages = smtp.to("deltagare1@vaxjo.se")[before:]
    assert len(messages) == 4
    assert str(messages[0]["Subject"]) == "Ändring: ASI grundutbildning"
    line = (
        "Kursdag 1 flyttas: onsdag 14 september 2022 (heldag) → fredag 16 september 2022 (heldag)."
    )
    assert [method_param(m) for m in messages] == ["REQUEST"] * 4
    for message in messages:
        assert line in parse.text(message)
        assert line in parse.html(message)
        assert "Kursdag 1: fredag 16 september 2022 (heldag)" in parse.text(message)
        assert receipt.manage_url in parse.text(message)


async def test_course_change_reaches_waitlisted_registrants_without_invites(
    seeded: ServiceContext,
    worker: MailWorker,
    smtp: SmtpServer,
    seed_schedule: Schedule,
) -> None:
    await fill_asi(seeded, waiting=1)
    await deliver(worker)
    before = len(smtp.to("deltagare5@vaxjo.se"))
    spec = course_spec(seed_schedule, ASI)

    await reimport(seeded, msgspec.structs.replace(spec, title="ASI grundutbildning (ny)"))
    await deliver(worker)

    (message,) = smtp.to("deltagare5@vaxjo.se")[before:]
    assert str(message["Subject"]) == "Ändring: ASI grundutbildning (ny)"
    assert "Kursen heter nu ASI grundutbildning (ny) (tidigare ASI grundutbildning)." in (
        parse.text(message)
    )
    assert parse.calendar_part(message) is None


async def test_change_nobody_needs_to_hear_about_sends_no_mail(
    seeded: ServiceContext,
    worker: MailWorker,
    smtp: SmtpServer,
    seed_schedule: Schedule,
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    before = len(smtp.messages)
    spec = course_spec(seed_schedule, ASI)

    await reimport(seeded, msgspec.structs.replace(spec, description="Ny beskrivning."))
    await deliver(worker)

    assert len(smtp.messages) == before


async def test_cancelled_course_is_mailed_with_cancel_invites_and_no_manage_link(
    seeded: ServiceContext,
    worker: MailWorker,
    smtp: SmtpServer,
    seed_schedule: Schedule,
) -> None:
    seated, waiting = await fill_asi(seeded)
    receipts = [*seated, *waiting]
    await deliver(worker)
    sent = len(smtp.messages)
    spec = course_spec(seed_schedule, ASI)

    await reimport(seeded, msgspec.structs.replace(spec, status="cancelled"))
    await deliver(worker)

    new = smtp.messages[sent:]
    confirmed = [m for m in new if "deltagare1@vaxjo.se" in str(m["To"])]
    assert len(confirmed) == 4
    assert str(confirmed[0]["Subject"]) == "Inställd: ASI grundutbildning"
    assert "Kursen är inställd och din anmälan gäller inte längre." in parse.text(confirmed[0])
    assert [method_param(m) for m in confirmed] == ["CANCEL"] * 4
    (waitlisted,) = [m for m in new if "deltagare5@vaxjo.se" in str(m["To"])]
    assert str(waitlisted["Subject"]) == "Inställd: ASI grundutbildning"
    assert parse.calendar_part(waitlisted) is None
    for message, receipt in [*((m, receipts[0]) for m in confirmed), (waitlisted, receipts[4])]:
        for body in [parse.text(message), parse.html(message)]:
            assert receipt.token not in body
            assert "ser du din anmälan" not in body  # the text part's link line
            assert "Se din anmälan" not in body  # the HTML part's link


# Reminder --------------------------------------------------------------------------------------


async def test_reminder_is_sent_once_before_the_first_session(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    receipt = await register(seeded, LVM, form(1))
    await deliver(worker)
    before = len(smtp.messages)
    clock.set(local(2022, 3, 27, 8, 0))  # the session is all day on Tuesday 29 March

    await queue_reminders(seeded)
    await queue_reminders(seeded)
    await deliver(worker)

    (reminder,) = smtp.messages[before:]
    assert str(reminder["Subject"]) == (
        "Påminnelse: LVM föreläsning börjar tisdag 29 mars 2022 (heldag)"
    )
    body = parse.text(reminder)
    assert "Kursen börjar snart." in body
    assert "Kursdag 1: tisdag 29 mars 2022 (heldag)" in body
    assert "Kursledare: Jonas Reinholdsson" in body
    assert receipt.manage_url in body
    assert parse.calendar_part(reminder) is None


async def test_no_reminder_before_its_time(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    await register(seeded, LVM, form(1))
    await deliver(worker)
    before = len(smtp.messages)
    clock.set(local(2022, 3, 25, 12, 0))  # more than three days before 29 March 00:00

    await queue_reminders(seeded)
    await deliver(worker)

    assert len(smtp.messages) == before


# Meeting link ----------------------------------------------------------------------------------


@pytest.fixture
async def mixed(seeded: ServiceContext) -> ServiceContext:
    """The seeded context plus a course with a digital format (meeting link) and an on-site one."""
    await import_schedule(seeded, parse_schedule(MIXED_SCHEDULE))
    return seeded


async def test_meeting_link_goes_only_to_the_digital_formats_registrants(
    mixed: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    online = await register(mixed, MIXED, form(1, format="digital"))
    on_site = await register(mixed, MIXED, form(2, format="vaxjo"))
    await cancel_registration(mixed, online.token)
    await cancel_registration(mixed, on_site.token)
    await register(mixed, MIXED, form(3, format="digital"))
    await register(mixed, MIXED, form(4, format="vaxjo"))

    await deliver(worker)

    for address in ["deltagare1@vaxjo.se", "deltagare3@vaxjo.se"]:
        messages = smtp.to(address)
        assert messages
        for message in messages:
            assert f"Möteslänk: {MEETING_URL}" in parse.text(message)
            assert f'href="{MEETING_URL}"' in parse.html(message)
            assert f"LOCATION:{MEETING_URL}" in parse.unfolded_ics(message)
    for address in ["deltagare2@vaxjo.se", "deltagare4@vaxjo.se"]:
        messages = smtp.to(address)
        assert messages
        for message in messages:
            assert "Växjö" in parse.text(message)
            assert "LOCATION:Växjö" in parse.unfolded_ics(message)
            assert MEETING_URL not in parse.bodies(message)
            assert MEETING_URL.encode() not in parse.attachment(message)[1]


async def test_changed_meeting_link_is_mailed_only_to_the_digital_formats_registrants(
    mixed: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(mixed, MIXED, form(1, format="digital"))
    await register(mixed, MIXED, form(2, format="vaxjo"))
    await deliver(worker)
    before = {a: len(smtp.to(a)) for a in ["deltagare1@vaxjo.se", "deltagare2@vaxjo.se"]}
    new_url = "https://meet.example.se/ms-2022-ny"
    changed = MIXED_SCHEDULE.replace(MEETING_URL, new_url)

    await import_schedule(mixed, parse_schedule(changed))
    await deliver(worker)

    online = smtp.to("deltagare1@vaxjo.se")[before["deltagare1@vaxjo.se"] :]
    assert len(online) == 2
    for message in online:
        assert f"Kursdag 1, möteslänk: {MEETING_URL} → {new_url}" in parse.text(message)
        assert f"Möteslänk: {new_url}" in parse.text(message)
    assert smtp.to("deltagare2@vaxjo.se")[before["deltagare2@vaxjo.se"] :] == []
