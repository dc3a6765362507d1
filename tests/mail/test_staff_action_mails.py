"""What people read, from the real SMTP server, when staff cancel a course or a session with a
reason, cancel for them, or move them to another format: the reason quoted, and CANCELs or
updates with the UIDs of their first invites and a higher SEQUENCE."""

from __future__ import annotations

from email.message import EmailMessage

from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.on_behalf import cancel_on_behalf, move_to_format
from courses.services.registration.register import register
from courses.services.schedule.course_edits import cancel_course, cancel_session
from tests.conftest import form
from tests.mail import parse
from tests.mail.invite_scenarios import ASI, ME, invites_to
from tests.mail.scenarios import deliver
from tests.mail.smtp_server import SmtpServer
from tests.services.admin_support import admin_of
from tests.services.moves_support import MEETING, MOVE, add_move_course

REASON = "Kursledaren är sjuk.\nVi hör av oss om ett nytt datum."


def _reads(message: EmailMessage, *lines: str) -> None:
    """Every line is in the plain text and in the HTML, as a reader sees them."""
    text, html = parse.text(message), parse.html(message)
    for line in lines:
        assert line in text
        assert line in html


async def test_a_cancelled_course_quotes_the_reason_and_cancels_the_first_invites(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    first = invites_to(smtp, ME)

    await cancel_course(seeded, await admin_of(seeded), ASI, reason=REASON)
    await deliver(worker)

    cancels = invites_to(smtp, ME, skip=4)
    assert [i.method for i in cancels] == ["CANCEL"] * 4
    assert [i.uid for i in cancels] == [i.uid for i in first]
    assert all(c.sequence > f.sequence for c, f in zip(cancels, first, strict=True))
    notice = smtp.to(ME)[4]
    assert str(notice["Subject"]) == "Inställd: ASI grundutbildning"
    _reads(notice, "Anledning:", "Kursledaren är sjuk.", "Vi hör av oss om ett nytt datum.")


async def test_a_cancelled_session_quotes_the_reason_and_cancels_that_sessions_invite(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await register(seeded, ASI, form(1))
    await deliver(worker)
    first = invites_to(smtp, ME)

    await cancel_session(seeded, await admin_of(seeded), ASI, 2, reason="Lokalen är upptagen.")
    await deliver(worker)

    after = invites_to(smtp, ME, skip=4)
    assert [(i.uid, i.method) for i in after] == [
        (first[0].uid, "REQUEST"),
        (first[1].uid, "CANCEL"),
        (first[2].uid, "REQUEST"),
        (first[3].uid, "REQUEST"),
    ]
    assert after[1].sequence > first[1].sequence
    notices = [m for m in smtp.to(ME)[4:] if "Lokalen är upptagen." in parse.text(m)]
    assert notices
    _reads(notices[0], "Anledning:", "Lokalen är upptagen.")


async def test_cancelling_for_someone_tells_them_the_reason(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    mine = await register(seeded, ASI, form(1))
    await deliver(worker)

    await cancel_on_behalf(
        seeded, await admin_of(seeded), mine.id, reason="Du ringde och bad om det."
    )
    await deliver(worker)

    notice = smtp.to(ME)[4]
    assert str(notice["Subject"]) == "Avanmälan bekräftad: ASI grundutbildning"
    _reads(notice, "Anledning från kursens administratör:", "Du ringde och bad om det.")
    assert [i.method for i in invites_to(smtp, ME, skip=4)] == ["CANCEL"] * 4


async def test_a_move_to_the_digital_format_sends_the_link_in_updated_invites(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer
) -> None:
    await add_move_course(seeded)
    mine = await register(seeded, MOVE, form(1, format="ljungby"))
    await deliver(worker)
    first = invites_to(smtp, ME)

    await move_to_format(seeded, await admin_of(seeded), mine.id, "digital")
    await deliver(worker)

    updates = invites_to(smtp, ME, skip=2)
    assert [(i.uid, i.method) for i in updates] == [(f.uid, "REQUEST") for f in first]
    assert all(u.sequence > f.sequence for u, f in zip(updates, first, strict=True))
    assert [str(i.event["LOCATION"]) for i in first] == ["Ljungby", "Ljungby"]
    assert all(MEETING in parse.unfolded_ics(i.message) for i in updates)
    notice = smtp.to(ME)[2]
    assert str(notice["Subject"]) == "Nytt sätt att delta: Kurs i två format"
    _reads(notice, "du deltar nu digitalt i stället för på plats i Ljungby.", MEETING)
