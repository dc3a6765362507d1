"""What each mail says, and in which parts: service call -> outbox -> worker -> real SMTP server.

Every mail is read back from what aiosmtpd received. The texts are Swedish; every body carries
the facts a person needs without opening the invite (Outlook builds the appointment from it).
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import msgspec
import pytest
from sqlalchemy import update

from courses.clock import FixedClock
from courses.domain.errors import AlreadyRegistered
from courses.mail.worker import MailWorker
from courses.schedule import CourseSpec, Schedule, parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration import RegistrationReceipt, cancel_registration, register
from courses.services.reminders import queue_reminders
from courses.services.schedule_import import import_schedule
from courses.storage.tables import registration_table
from tests.conftest import form, local
from tests.mail import parse
from tests.mail.smtp_server import SmtpServer

ASI = "asi-grund-2022"  # four all-day sessions, max 4 seats, one on-site format
ATERFALL = "aterfallsprevention-2022"  # two sessions 09-16, Ljungby or digital
LVM = "lvm-forelasning-2022"  # one all-day session on 29 March 2022, digital

ASI_DAYS = [
    "onsdag 14 september 2022 (heldag)",
    "torsdag 15 september 2022 (heldag)",
    "torsdag 10 november 2022 (heldag)",
    "torsdag 4 maj 2023 (heldag)",
]

MEETING_URL = "https://meet.example.se/ms-2022-hemlig"
MIXED = "motiverande-samtal-2022"
MIXED_SCHEDULE = f"""
[[course]]
slug = "{MIXED}"
title = "Motiverande samtal"
leaders = [{{ name = "Karin Berg", email = "karin.berg@kronoberg.se" }}]
deadline = 2022-04-01

[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "{MEETING_URL}"

[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"

[[course.session]]
date = 2022-04-12
start = 09:00:00
end = 12:00:00

[[course.session]]
date = 2022-04-19
start = 13:00:00
end = 16:00:00
"""


async def deliver(worker: MailWorker) -> None:
    """Send everything that is due; every mail must be accepted."""
    result = await worker.drain()
    assert (result.retried, result.failed) == ([], [])


def course_spec(schedule: Schedule, slug: str) -> CourseSpec:
    return next(course for course in schedule.course if course.slug == slug)


async def reimport(ctx: ServiceContext, spec: CourseSpec) -> None:
    """Import a schedule file that holds only this (changed) course."""
    await import_schedule(ctx, Schedule(course=[spec]))


async def fill_asi(ctx: ServiceContext) -> list[RegistrationReceipt]:
    """Four confirmed registrants (1-4) and one on the waitlist (5)."""
    return [await register(ctx, ASI, form(n)) for n in range(1, 6)]


async def rename(ctx: ServiceContext, registration_id: int, name: str) -> None:
    """Store `name` as it is, before the worker reads it."""
    async with ctx.db.write() as conn:
        await conn.execute(
            update(registration_table)
            .where(registration_table.c.id == registration_id)
            .values(name=name)
        )


def method_param(message: EmailMessage) -> str | None:
    part = parse.calendar_part(message)
    return None if part is None else part.get_param("method")


# Confirmed ---------------------------------------------------------------------------------


async def test_confirmed_registrant_gets_one_message_per_session(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))

    await deliver(worker)

    messages = smtp.to("deltagare1@vaxjo.se")
    assert len(messages) == 4
    assert [method_param(m) for m in messages] == ["REQUEST"] * 4
    assert str(messages[0]["Subject"]) == "Anmälan bekräftad: ASI grundutbildning"
    assert "Du har fått en plats på kursen. Välkommen!" in parse.text(messages[0])
    for k, message in enumerate(messages[1:], start=2):
        assert str(message["Subject"]) == (
            f"Kursdag {k} av 4 – Anmälan bekräftad: ASI grundutbildning"
        )
        for body in [parse.text(message), parse.html(message)]:
            intro = body.split("Du har fått en plats")[0]
            assert f"kursdag {k} av 4" in intro
            assert ASI_DAYS[k - 1] in intro


async def test_every_confirmation_body_carries_all_the_facts(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await register(seeded, ATERFALL, form(1, format="ljungby"))

    await deliver(worker)

    messages = smtp.to("deltagare1@vaxjo.se")
    assert len(messages) == 2
    facts = [
        "Återfallsprevention",
        "Kursdag 1: tisdag 5 april 2022 kl. 09.00–16.00, Ljungby",
        "Kursdag 2: onsdag 6 april 2022 kl. 09.00–16.00, Ljungby",
        "Format: På plats: Ljungby",
        "Kursledare: Sophie Andersson",
        "Sista anmälningsdag: 20 mars 2022",
        f"Se eller avanmäl din anmälan: {receipt.manage_url}",
    ]
    for message in messages:
        body = parse.text(message)
        for fact in facts:
            assert fact in body
        page = parse.html(message)
        for fact in [
            "Återfallsprevention",
            "tisdag 5 april 2022 kl. 09.00–16.00, Ljungby",
            "onsdag 6 april 2022 kl. 09.00–16.00, Ljungby",
            "På plats: Ljungby",
            "Sophie Andersson",
            "20 mars 2022",
            f'href="{receipt.manage_url}"',
        ]:
            assert fact in page


async def test_mail_goes_to_the_registrant_from_the_configured_sender(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, LVM, form(1, name="Åsa Öberg"))

    await deliver(worker)

    (message,) = smtp.messages
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message["To"].addresses[0].addr_spec == "deltagare1@vaxjo.se"
    assert str(message["From"]) == seeded.settings.mail_from
    assert message["Auto-Submitted"] == "auto-generated"
    assert parse.text(message).startswith("Hej Åsa Öberg!")


# Waitlisted, promoted, cancelled ---------------------------------------------------------------


async def test_waitlisted_registrant_is_told_the_position_without_an_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await fill_asi(seeded)
    await register(seeded, ASI, form(6))

    await deliver(worker)

    for address, position in [("deltagare5@vaxjo.se", 1), ("deltagare6@vaxjo.se", 2)]:
        (message,) = smtp.to(address)
        assert str(message["Subject"]) == "Reservlista: ASI grundutbildning"
        line = f"Du står på reservlistan som nummer {position}."
        assert line in parse.text(message)
        assert line in parse.html(message)
        assert parse.calendar_part(message) is None
        assert parse.parts(message, "application/ics") == []


async def test_promoted_registrant_gets_confirmation_with_invites(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipts = await fill_asi(seeded)
    await deliver(worker)
    before = len(smtp.to("deltagare5@vaxjo.se"))

    await cancel_registration(seeded, receipts[0].token)
    await deliver(worker)

    messages = smtp.to("deltagare5@vaxjo.se")[before:]
    assert len(messages) == 4
    assert str(messages[0]["Subject"]) == "Du har fått en plats: ASI grundutbildning"
    assert "du har flyttats från reservlistan" in parse.text(messages[0])
    assert [method_param(m) for m in messages] == ["REQUEST"] * 4
    for message in messages:
        assert receipts[4].manage_url in parse.text(message)
        for day in ASI_DAYS:
            assert day in parse.text(message)


async def test_confirmed_registrant_who_cancels_gets_cancel_invites_and_no_manage_link(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipt = await register(seeded, ASI, form(1))
    await deliver(worker)
    before = len(smtp.messages)

    await cancel_registration(seeded, receipt.token)
    await deliver(worker)

    messages = smtp.to("deltagare1@vaxjo.se")[before:]
    assert len(messages) == 4
    assert str(messages[0]["Subject"]) == "Avanmäld: ASI grundutbildning"
    assert "Din anmälan till kursen är avanmäld." in parse.text(messages[0])
    assert "Kursdagarna tas bort ur din kalender." in parse.text(messages[0])
    assert [method_param(m) for m in messages] == ["CANCEL"] * 4
    for message in messages:
        for body in [parse.text(message), parse.html(message)]:
            assert receipt.token not in body
            assert "Se eller avanmäl" not in body


async def test_waitlisted_registrant_who_cancels_gets_no_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    receipts = await fill_asi(seeded)
    await deliver(worker)
    before = len(smtp.to("deltagare5@vaxjo.se"))

    await cancel_registration(seeded, receipts[4].token)
    await deliver(worker)

    (message,) = smtp.to("deltagare5@vaxjo.se")[before:]
    assert str(message["Subject"]) == "Avanmäld: ASI grundutbildning"
    assert parse.calendar_part(message) is None
    assert "Kursdagarna tas bort" not in parse.text(message)
    assert receipts[4].token not in parse.text(message)
    assert receipts[4].token not in parse.html(message)


# Already registered ----------------------------------------------------------------------------


async def test_registering_again_mails_the_manage_link_at_most_once_an_hour(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, clock: FixedClock
) -> None:
    receipt = await register(seeded, LVM, form(1))
    await deliver(worker)
    assert len(smtp.messages) == 1

    with pytest.raises(AlreadyRegistered):
        await register(seeded, LVM, form(1, name="Någon annan"))
    await deliver(worker)

    assert len(smtp.messages) == 2
    again = smtp.messages[1]
    assert str(again["Subject"]) == "Din anmälan: LVM föreläsning"
    assert again["To"].addresses[0].addr_spec == "deltagare1@vaxjo.se"
    assert smtp.envelopes[1][1] == ["deltagare1@vaxjo.se"]
    assert "Du är redan anmäld" in parse.text(again)
    assert receipt.manage_url in parse.text(again)
    assert f'href="{receipt.manage_url}"' in parse.html(again)
    assert parse.calendar_part(again) is None

    clock.set(clock.now() + timedelta(minutes=59))
    with pytest.raises(AlreadyRegistered):
        await register(seeded, LVM, form(1))
    await deliver(worker)

    assert len(smtp.messages) == 2

    clock.set(clock.now() + timedelta(minutes=2))
    with pytest.raises(AlreadyRegistered):
        await register(seeded, LVM, form(1))
    await deliver(worker)

    assert len(smtp.messages) == 3
    assert str(smtp.messages[2]["Subject"]) == "Din anmälan: LVM föreläsning"


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
    await fill_asi(seeded)
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
    receipts = await fill_asi(seeded)
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
            assert "Se eller avanmäl" not in body


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


# HTML escaping and header injection -------------------------------------------------------------


async def test_html_part_escapes_what_the_registrant_wrote(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(
        seeded, LVM, form(1, name="<script>x</script>", workplace='Mottagning "<b>Öst</b>"')
    )

    await deliver(worker)

    (message,) = smtp.messages
    page = parse.html(message)
    assert "<script>x" not in page
    assert "<b>Öst" not in page
    assert "Hej &lt;script&gt;x&lt;/script&gt;!" in page
    assert "&lt;b&gt;Öst&lt;/b&gt;" in page
    assert "Hej <script>x</script>!" in parse.text(message)


INJECTED_NAMES = [
    "Eva Ek\r\nBcc: evil@example.com",
    "Eva Ek\nBcc: evil@example.com",
    "Eva Ek\rBcc: evil@example.com",
    "Eva Ek\nATTENDEE:mailto:evil@example.com",
    'Ek";ROLE=CHAIR\r\nATTENDEE:mailto:evil@x.se',
]


@pytest.mark.parametrize("via", ["service", "database"])
@pytest.mark.parametrize("name", INJECTED_NAMES)
async def test_name_with_line_breaks_adds_no_header_recipient_or_calendar_property(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, name: str, via: str
) -> None:
    # "database": the name is written behind the service's back, so whatever the service or
    # the API may refuse, the mail layer is shown to be safe on its own.
    if via == "service":
        await register(seeded, ATERFALL, form(1, name=name, format="ljungby"))
    else:
        receipt = await register(seeded, ATERFALL, form(1, format="ljungby"))
        await rename(seeded, receipt.id, name)
    await register(seeded, ATERFALL, form(2, name="Eva Ek", format="ljungby"))

    await deliver(worker)

    received = list(zip(smtp.messages, (rcpt for _, rcpt in smtp.envelopes), strict=True))
    injected = [(m, rcpt) for m, rcpt in received if "deltagare1@" in str(m["To"])]
    baseline = smtp.to("deltagare2@vaxjo.se")
    assert len(injected) == len(baseline) == 2
    for (message, recipients), plain in zip(injected, baseline, strict=True):
        assert recipients == ["deltagare1@vaxjo.se"]
        assert sorted(message.keys()) == sorted(plain.keys())
        assert "Bcc" not in message
        assert len(message.get_all("To")) == 1
        (to,) = message["To"].addresses
        assert to.addr_spec == "deltagare1@vaxjo.se"
        assert not set("\r\n") & set(to.display_name)
        event, plain_event = parse.event(message), parse.event(plain)
        assert sorted(event.keys()) == sorted(plain_event.keys())
        attendee = event["ATTENDEE"]
        assert not isinstance(attendee, list)
        assert str(attendee) == "mailto:deltagare1@vaxjo.se"
        assert sorted(attendee.params) == sorted(plain_event["ATTENDEE"].params)
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert not set("\r\n") & set(attendee.params["CN"])
        lines = parse.raw_ics(message).splitlines()
        assert not [line for line in lines if line.upper().startswith("ATTENDEE:MAILTO:EVIL")]
        assert sum(line.startswith("ATTENDEE") for line in lines) == 1


LONG_NAMES_WITH_ADDRESSES = [
    "Eva Ek <evil@example.com>, Beroendemottagningen i Ljungby kommun",
    'Eva "Ek";ROLE=CHAIR:mailto:evil@example.com\r\nATTENDEE:mailto:evil@example.com',
]


@pytest.mark.parametrize("name", LONG_NAMES_WITH_ADDRESSES)
async def test_long_name_with_an_address_in_it_adds_no_recipient_to_the_to_header(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, name: str
) -> None:
    # Long enough that the To header must be folded: the display name has to stay quoted
    # on the folded line, or its "<evil@...>," reads as a second recipient.
    await register(seeded, LVM, form(1, name=name))

    await deliver(worker)

    (message,) = smtp.messages
    assert smtp.envelopes[0][1] == ["deltagare1@vaxjo.se"]
    assert [a.addr_spec for a in message["To"].addresses] == ["deltagare1@vaxjo.se"]
    assert "evil@example.com" in message["To"].addresses[0].display_name
