"""A leader's message as its recipients get it: service -> outbox -> worker -> real SMTP server.
One mail each, with the subject and text as written and the recipient's own manage link; what
the leader wrote is escaped in the HTML and cannot add a header or a recipient."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from courses.domain.messages import MessageGroup
from courses.mail.worker import MailWorker
from courses.services.attendance.messages import write_to_course
from courses.services.context import ServiceContext
from courses.storage import outbox
from courses.storage.payloads import Message
from tests.mail import parse
from tests.mail.scenarios import deliver
from tests.mail.smtp_server import SmtpServer
from tests.message_support import COURSE, LEADER, People, course_with_people, draft


@pytest.fixture
async def people(seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer) -> People:
    """The course with its people, their earlier mails already delivered and put aside."""
    found = await course_with_people(seeded)
    await deliver(worker)
    smtp.messages.clear()
    smtp.envelopes.clear()
    return found


def _by_recipient(smtp: SmtpServer) -> dict[str, EmailMessage]:
    found = {str(m["To"]).split("<")[-1].rstrip(">"): m for m in smtp.messages}
    assert len(found) == len(smtp.messages), "someone got the message twice"
    return found


async def test_each_person_gets_the_message_with_their_own_manage_link(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, people: People
) -> None:
    text = "Hej alla!\n\nKursen flyttar till sal 3.\nTa med manualen."

    await write_to_course(seeded, LEADER, COURSE, draft(subject="Ny sal", text=text))
    await deliver(worker)

    received = _by_recipient(smtp)
    assert set(received) == {f"deltagare{n}@vaxjo.se" for n in (1, 2, 3)}
    links = {r.manage_url for r in people.active}
    for n, person in enumerate(people.active, start=1):
        message = received[f"deltagare{n}@vaxjo.se"]
        assert str(message["Subject"]) == "Ny sal"
        assert parse.calendar_part(message) is None
        body = parse.text(message)
        assert body.startswith(f"Hej Deltagare {n}!\n\nEtt meddelande om kursen:\n\n{text}\n")
        assert person.manage_url in body
        assert person.manage_url in parse.html(message)
        # Nobody else's link, in either part.
        for other in links - {person.manage_url}:
            assert other not in body
            assert other not in parse.html(message)
        page = parse.html(message)
        assert "<p>Kursen flyttar till sal 3.<br>Ta med manualen.</p>" in page


async def test_a_session_message_names_its_day(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, people: People
) -> None:
    await write_to_course(
        seeded, LEADER, COURSE, draft(MessageGroup.SESSION, session=2, text="Vi börjar kl. 10.")
    )
    await deliver(worker)

    assert set(_by_recipient(smtp)) == {"deltagare1@vaxjo.se", "deltagare2@vaxjo.se"}
    for message in smtp.messages:
        said = "Ett meddelande om kursdag 2, tisdag 17 maj 2022 kl. 09.00–12.00:"
        assert said in parse.text(message)
        assert said in parse.html(message)


async def test_the_leaders_text_is_escaped_in_the_html(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, people: People
) -> None:
    text = '<script>alert(1)</script> & <a href="https://evil.example">klicka</a>'

    await write_to_course(seeded, LEADER, COURSE, draft(MessageGroup.CONFIRMED, text=text))
    await deliver(worker)

    (message,) = smtp.messages
    page = parse.html(message)
    assert "<script>" not in page
    assert '<a href="https://evil.example"' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;a href=" in page
    assert "Motiverande samtal &lt;fördjupning&gt;" in page
    assert text in parse.text(message)


@pytest.mark.parametrize(
    "subject", ["Ny sal\r\nBcc: evil@example.com", "Ny sal\nX-Extra: 1", "Ny sal\rTo: a@b.se"]
)
async def test_a_subject_with_line_breaks_adds_no_header_or_recipient(
    seeded: ServiceContext, worker: MailWorker, smtp: SmtpServer, people: People, subject: str
) -> None:
    # Written behind the service's back (which refuses it), so the mail layer is shown safe
    # on its own.
    async with seeded.db.write() as conn:
        await outbox.enqueue(
            conn,
            [outbox.NewMail(people.confirmed.id, Message(subject=subject, text="Text"))],
            now=seeded.clock.now(),
        )
    await deliver(worker)

    (message,) = smtp.messages
    assert smtp.envelopes == [(smtp.envelopes[0][0], ["deltagare1@vaxjo.se"])]
    assert str(message["Subject"]) == " ".join(subject.split())
    assert message["Bcc"] is None
    assert message["X-Extra"] is None
    assert len(message.get_all("To", [])) == 1
