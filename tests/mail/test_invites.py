"""Calendar invites (RFC 5545/5546) read back from the SMTP server and parsed with icalendar:
parts and METHOD, UIDs, ORGANIZER and ATTENDEE, time zones and all-day sessions, waitlist.

Every session of a confirmed registration is its own event in its own message; its UID never
changes. Times are local to Europe/Stockholm and stay right across daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr

import msgspec
import pytest
from icalendar import Calendar

from courses.mail.worker import MailWorker
from courses.schedule import Schedule, parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.conftest import STOCKHOLM, form
from tests.mail import parse
from tests.mail.invite_scenarios import (
    ASI,
    ATERFALL,
    DST,
    DST_SCHEDULE,
    ME,
    invites_to,
    moved_first_session,
    utc,
)
from tests.mail.scenarios import course_spec, deliver, reimport
from tests.mail.smtp_server import SmtpServer

# The calendar and its MIME parts ---------------------------------------------------------------


async def test_calendar_part_method_equals_the_method_in_the_file(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    spec = course_spec(seed_schedule, ASI)
    await reimport(seeded, msgspec.structs.replace(spec, session=spec.session[:3]))
    await deliver(worker)
    await cancel_registration(seeded, receipt.token)

    await deliver(worker)

    messages = smtp.to(ME)
    methods = []
    for message in messages:
        part = parse.calendar_part(message)
        assert part is not None
        in_file = str(parse.calendar(message)["METHOD"])
        assert in_file == part.get_param("method")
        _, attached = parse.attachment(message)
        assert str(Calendar.from_ical(attached)["METHOD"]) == in_file
        methods.append(in_file)
    assert methods == ["REQUEST"] * 4 + ["REQUEST"] * 3 + ["CANCEL"] + ["CANCEL"] * 3


async def test_attached_invite_ics_is_the_same_calendar_as_the_calendar_part(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await register(seeded, ATERFALL, form(1, format="ljungby"))
    await deliver(worker)
    await cancel_registration(seeded, receipt.token)

    await deliver(worker)

    messages = smtp.to(ME)
    assert len(messages) == 4
    for message in messages:
        filename, data = parse.attachment(message)
        assert filename == "invite.ics"
        assert data.decode().splitlines() == parse.raw_ics(message).splitlines()


async def test_every_invite_message_holds_one_event_with_one_uid(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    await reimport(seeded, moved_first_session(course_spec(seed_schedule, ASI)))
    await deliver(worker)
    await cancel_registration(seeded, receipt.token)

    await deliver(worker)

    messages = smtp.to(ME)
    assert len(messages) == 12
    for message in messages:
        calendar = parse.calendar(message)
        assert len(calendar.walk("VEVENT")) == 1
        uids = {str(component["UID"]) for component in calendar.walk() if "UID" in component}
        assert len(uids) == 1
        assert parse.unfolded_ics(message).count("\nUID:") == 1


# UID --------------------------------------------------------------------------------------------


async def test_each_session_and_each_registration_has_its_own_uid(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))
    await register(seeded, ASI, form(2))

    await deliver(worker)

    mine = [invite.uid for invite in invites_to(smtp, ME)]
    theirs = [invite.uid for invite in invites_to(smtp, "deltagare2@vaxjo.se")]
    assert len(set(mine)) == 4
    assert len(set(theirs)) == 4
    assert not set(mine) & set(theirs)


async def test_uid_of_a_session_stays_the_same_through_change_and_cancel(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, seed_schedule: Schedule
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    confirmed = invites_to(smtp, ME)

    await reimport(seeded, moved_first_session(course_spec(seed_schedule, ASI)))
    await deliver(worker)
    updated = invites_to(smtp, ME, skip=4)
    await cancel_registration(seeded, receipt.token)
    await deliver(worker)
    cancelled = invites_to(smtp, ME, skip=8)

    assert [i.method for i in confirmed] == ["REQUEST"] * 4
    assert [i.method for i in updated] == ["REQUEST"] * 4
    assert [i.method for i in cancelled] == ["CANCEL"] * 4
    assert [i.uid for i in updated] == [i.uid for i in confirmed]
    assert [i.uid for i in cancelled] == [i.uid for i in confirmed]
    assert updated[0].event.decoded("DTSTART") == date(2022, 9, 16)


# ORGANIZER and ATTENDEE -------------------------------------------------------------------------


async def test_organizer_is_the_mailbox_of_mail_from(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await register(seeded, ATERFALL, form(1, format="ljungby"))
    await deliver(worker)
    await cancel_registration(seeded, receipt.token)

    await deliver(worker)

    # The seeded organizer has no sender of its own: the setting's address, under its name.
    address = parseaddr(seeded.settings.mail_from)[1]
    invites = invites_to(smtp, ME)
    assert len(invites) == 4
    for invite in invites:
        organizer = invite.event["ORGANIZER"]
        assert str(organizer) == f"mailto:{address}"
        assert organizer.params["CN"] == (
            "Integrerad missbruks- och beroendemottagning, Region Kronoberg"
        )


async def test_attendee_is_the_registrant_asked_to_reply(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ATERFALL, form(1, name="Åsa Öberg", format="ljungby"))

    await deliver(worker)

    invites = invites_to(smtp, ME)
    assert len(invites) == 2
    for invite in invites:
        attendee = invite.event["ATTENDEE"]
        assert not isinstance(attendee, list)
        assert str(attendee) == f"mailto:{ME}"
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["CN"] == "Åsa Öberg"


# Time zones and all-day sessions ---------------------------------------------------------------


async def test_timed_invite_carries_a_stockholm_vtimezone_for_the_years_needed_only(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ATERFALL, form(1, format="ljungby"))

    await deliver(worker)

    invites = invites_to(smtp, ME)
    assert len(invites) == 2
    for invite in invites:
        (timezone,) = parse.calendar(invite.message).walk("VTIMEZONE")
        assert str(timezone["TZID"]) == "Europe/Stockholm"
        starts = [
            component.decoded("DTSTART")
            for component in timezone.walk()
            if component.name in ("STANDARD", "DAYLIGHT")
        ]
        assert starts
        assert {start.year for start in starts} == {2022}
        assert str(invite.event["DTSTART"].params["TZID"]) == "Europe/Stockholm"


async def test_all_day_session_is_a_date_with_an_exclusive_end(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))

    await deliver(worker)

    invites = invites_to(smtp, ME)
    days = [date(2022, 9, 14), date(2022, 9, 15), date(2022, 11, 10), date(2023, 5, 4)]
    assert len(invites) == 4
    for invite, day in zip(invites, days, strict=True):
        start, end = invite.event.decoded("DTSTART"), invite.event.decoded("DTEND")
        assert not isinstance(start, datetime)
        assert not isinstance(end, datetime)
        assert (start, end) == (day, day + timedelta(days=1))
        lines = parse.unfolded_ics(invite.message).splitlines()
        assert f"DTSTART;VALUE=DATE:{day:%Y%m%d}" in lines
        assert f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}" in lines


@pytest.fixture
async def dst_course(seeded: ServiceContext) -> ServiceContext:
    """The seeded context plus a course on the days the clocks change in 2022."""
    await import_schedule(seeded, parse_schedule(DST_SCHEDULE))
    return seeded


async def test_local_times_stay_right_across_daylight_saving_changes(
    dst_course: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(dst_course, DST, form(1))

    await deliver(worker)

    spring, autumn = invites_to(smtp, ME)
    expected = [
        # 27 March: summer time (UTC+2) began at 02:00 that night.
        (spring, utc(2022, 3, 27, 7), utc(2022, 3, 27, 14)),
        # 30 October: back to standard time (UTC+1) at 03:00 that night.
        (autumn, utc(2022, 10, 30, 8), utc(2022, 10, 30, 15)),
    ]
    for invite, start_utc, end_utc in expected:
        event = invite.event
        assert str(event["DTSTART"].params["TZID"]) == "Europe/Stockholm"
        assert str(event["DTEND"].params["TZID"]) == "Europe/Stockholm"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start.hour, start.minute, end.hour, end.minute) == (9, 0, 16, 0)
        assert start.astimezone(UTC) == start_utc
        assert end.astimezone(UTC) == end_utc
        # The zone as the file itself defines it, not as this machine's tz database does.
        (timezone,) = parse.calendar(invite.message).walk("VTIMEZONE")
        own = timezone.to_tz(lookup_tzid=False)
        local_start = start.replace(tzinfo=None).replace(tzinfo=own)
        assert local_start.astimezone(UTC) == start_utc
        assert start.astimezone(STOCKHOLM).utcoffset() == local_start.utcoffset()


# Waitlist ---------------------------------------------------------------------------------------


async def test_waitlisted_registrant_gets_no_invite_until_promoted(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipts = [await register(seeded, ASI, form(n)) for n in range(1, 6)]
    await deliver(worker)
    waiting = "deltagare5@vaxjo.se"
    assert len(smtp.to(waiting)) == 1
    assert invites_to(smtp, waiting) == []

    await cancel_registration(seeded, receipts[0].token)
    await deliver(worker)

    promoted = invites_to(smtp, waiting)
    assert [i.method for i in promoted] == ["REQUEST"] * 4
    assert len({i.uid for i in promoted}) == 4
    freed = {i.uid for i in invites_to(smtp, ME)}
    assert not freed & {i.uid for i in promoted}
    attendees = {str(i.event["ATTENDEE"]) for i in promoted}
    assert attendees == {f"mailto:{waiting}"}
