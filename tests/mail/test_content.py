"""What each registration mail says, and in which parts: service call -> outbox -> worker ->
real SMTP server.

Every mail is read back from what aiosmtpd received. The texts are Swedish; every body carries
the facts a person needs without opening the invite (Outlook builds the appointment from it).
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

import pytest

from courses.clock import FixedClock
from courses.domain.errors import AlreadyRegistered
from courses.mail.worker import MailWorker
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.conftest import fill_asi, form
from tests.mail import parse
from tests.mail.scenarios import (
    ASI,
    ASI_DAYS,
    ATERFALL,
    LVM,
    deliver,
    method_param,
)
from tests.mail.smtp_server import SmtpServer
from tests.services.admin_support import OTHER_COURSE, OTHER_EMPLOYER, OTHER_ORGANIZER_FILE

SEED_ORGANIZER_NAME = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"

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
        "Kursdag 1: tisdag 5 april 2022 kl. 09.00–16.00\n",
        "Kursdag 2: onsdag 6 april 2022 kl. 09.00–16.00\n",
        "Du deltar: på plats\nPlats: Ljungby",
        "Kursledare: Sophie Andersson",
        "Sista anmälningsdag: 20 mars 2022",
        f"Här ser du din anmälan och kan avanmäla dig: {receipt.manage_url}",
        "Har du frågor om kursen? Skriv till utbildning@localhost.",
    ]
    for message in messages:
        body = parse.text(message)
        for fact in facts:
            assert fact in body
        page = parse.html(message)
        for fact in [
            "Återfallsprevention",
            "tisdag 5 april 2022 kl. 09.00–16.00",
            "onsdag 6 april 2022 kl. 09.00–16.00",
            "på plats",
            "Ljungby",
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
    # The configured address, under the name of the organizer (which has no sender of its own).
    assert message["From"].addresses[0].display_name == SEED_ORGANIZER_NAME
    assert message["From"].addresses[0].addr_spec == parseaddr(seeded.settings.mail_from)[1]
    assert SEED_ORGANIZER_NAME in parse.text(message)  # the signature
    assert message["Auto-Submitted"] == "auto-generated"
    assert parse.text(message).startswith("Hej Åsa Öberg!")


# Waitlisted, promoted, cancelled ---------------------------------------------------------------


async def test_waitlisted_registrant_is_told_the_position_without_an_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await fill_asi(seeded, waiting=1)
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
    seated, waiting = await fill_asi(seeded)
    receipts = [*seated, *waiting]
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
    assert str(messages[0]["Subject"]) == "Avanmälan bekräftad: ASI grundutbildning"
    assert "Du är nu avanmäld från kursen." in parse.text(messages[0])
    assert "Kursdagarna tas bort ur din kalender." in parse.text(messages[0])
    assert [method_param(m) for m in messages] == ["CANCEL"] * 4
    for message in messages:
        for body in [parse.text(message), parse.html(message)]:
            assert receipt.token not in body
            assert "ser du din anmälan" not in body  # the text part's link line
            assert "Se din anmälan" not in body  # the HTML part's link


async def test_waitlisted_registrant_who_cancels_gets_no_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    seated, waiting = await fill_asi(seeded)
    receipts = [*seated, *waiting]
    await deliver(worker)
    before = len(smtp.to("deltagare5@vaxjo.se"))

    await cancel_registration(seeded, receipts[4].token)
    await deliver(worker)

    (message,) = smtp.to("deltagare5@vaxjo.se")[before:]
    assert str(message["Subject"]) == "Avanmälan bekräftad: ASI grundutbildning"
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


async def test_another_organizers_mail_names_that_organizer(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await import_schedule(seeded, parse_schedule(OTHER_ORGANIZER_FILE, source="b.toml"))
    await register(
        seeded,
        OTHER_COURSE,
        form(1, email="anna@b-kommun.se", employer=OTHER_EMPLOYER, format="digital"),
    )

    await deliver(worker)

    (message,) = smtp.messages
    assert message["From"].addresses[0].display_name == "Arrangör B"
    assert message["From"].addresses[0].addr_spec == parseaddr(seeded.settings.mail_from)[1]
    assert "Arrangör B" in parse.text(message)
    assert SEED_ORGANIZER_NAME not in parse.text(message)
