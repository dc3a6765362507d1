"""The list mail of `/mina-anmalningar`, through the real SMTP server: every registration of
the mailbox still on, whatever its `+tag`, each with a link that opens it; grouped by
organizer when the courses are more than one's."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from courses.domain.courses import CourseRecord, FormatKind, FormatRecord, SessionRecord
from courses.domain.notices import MailKind
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.mail.content import Templates
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.outbox.listing import ListedRegistration, ListingFacts
from courses.services.outbox.senders import Organizer
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.registration.my_registrations import mail_my_registrations
from courses.services.registration.register import register
from courses.storage.outbox import Claimed
from courses.storage.payloads import MyRegistrations
from tests.conftest import ASI, fill_asi, form
from tests.mail import parse
from tests.mail.smtp_server import SmtpServer
from tests.mail.test_subject_lines import visible_text

LVM = "lvm-forelasning-2022"
RELAPSE = "aterfallsprevention-2022"
SUBJECT = "Dina kursanmälningar"
_LINK = re.compile(r"http://kurser\.test/anmalan/([A-Za-z0-9_-]+)")


async def test_the_list_names_every_registration_still_on_with_a_link_that_opens_it(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await fill_asi(seeded, waiting=1)  # deltagare5@vaxjo.se waits first in line
    await register(seeded, LVM, form(5, email="Deltagare5+lvm@vaxjo.se"))
    gone = await register(seeded, RELAPSE, form(5, format="digital"))
    await cancel_registration(seeded, gone.manage_url.rsplit("/", 1)[1])
    await register(seeded, LVM, form(6))
    await worker.drain()
    smtp.messages.clear()
    smtp.envelopes.clear()

    await mail_my_registrations(seeded, "deltagare5+glomt@vaxjo.se")
    await worker.drain()

    assert [str(m["Subject"]) for m in smtp.messages] == [SUBJECT]
    message = smtp.messages[0]
    # To the newest registration's own address, not the one typed.
    assert smtp.envelopes[0][1] == ["Deltagare5+lvm@vaxjo.se"]
    text = parse.text(message)
    assert "Hej Deltagare 5!" in text
    assert "Här är dina 2 anmälningar till kurser som ännu inte är över." in text
    blocks = {block.split("\n", 1)[0]: block for block in text.split("\n\n")}
    assert "Du har plats." in blocks["LVM föreläsning"]
    assert "Du deltar: digitalt" in blocks["LVM föreläsning"]
    assert "Du står på reservlistan, plats 1." in blocks["ASI grundutbildning"]
    assert "Återfallsprevention" not in text
    tokens = _LINK.findall(text)
    assert len(tokens) == 2
    assert _LINK.findall(parse.html(message)) == tokens
    opened = [await get_registration(seeded, token) for token in tokens]
    # First session first: LVM in March, ASI in September.
    assert [(r.course.slug, r.email) for r in opened] == [
        (LVM, "Deltagare5+lvm@vaxjo.se"),
        (ASI, "deltagare5@vaxjo.se"),
    ]


def _course(id_: int, title: str, organizer_id: int) -> CourseRecord:
    return CourseRecord(
        id=id_,
        slug=f"kurs-{id_}",
        title=title,
        description=None,
        leaders=[],
        deadline=date(2027, 3, 1),
        opens=None,
        seats=None,
        waitlist=True,
        info_url=None,
        status=CourseStatus.PUBLISHED,
        confirmed_count=0,
        revision=1,
        calendar_sequence=0,
        formats=[FormatRecord(id_, "digital", FormatKind.DIGITAL, None, None, None, 1)],
        sessions=[SessionRecord(1, date(2027, 3, 10), time(9), time(12))],
        organizer_id=organizer_id,
    )


def test_courses_of_two_organizers_are_listed_under_each_organizers_name() -> None:
    now = datetime(2027, 2, 1, 9, tzinfo=UTC)
    mail = Claimed(1, 1, MailKind.MY_REGISTRATIONS, None, None, MyRegistrations(), "m", 0, now)
    entries = [
        ListedRegistration(
            _course(1, "MI grund", 1),
            "Region Kronoberg",
            RegistrationStatus.CONFIRMED,
            None,
            None,
            "http://kurser.test/anmalan/a",
        ),
        ListedRegistration(
            _course(2, "KBT fördjupning", 2),
            "Region Jönköping",
            RegistrationStatus.APPLIED,
            None,
            None,
            "http://kurser.test/anmalan/b",
        ),
    ]
    sender = "Kursanmälan <kurser@example.se>"
    facts = ListingFacts(mail, "Kim", "kim@vaxjo.se", entries, Organizer.of(sender), sender)

    content = Templates().render_listing(facts)

    text, page = content.text, visible_text(content.html)
    for body, kronoberg, jonkoping in (
        (text, "REGION KRONOBERG", "REGION JÖNKÖPING"),
        (page, "Region Kronoberg", "Region Jönköping"),
    ):
        order = [body.index(words) for words in (kronoberg, "MI grund", jonkoping, "KBT")]
        assert order == sorted(order)
        assert "Du har ansökt om plats. Platserna lottas 2 mars." in body
        assert body.rstrip().endswith("kurser@example.se.")
