"""The MIME layout of a mail, read back with the `email` package's strict modern parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from courses.mail.content import MailContent
from courses.mail.message import Outgoing, build_message
from courses.settings import Settings

SETTINGS = Settings(mail_from="Utbildningar i Kronoberg <utbildning@kurser.example.se>")
INVITE = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def build(
    subject: str = "Anmälan bekräftad: ASI", name: str = "Åsa Öberg", **kw: object
) -> Outgoing:
    content = MailContent(subject=subject, text="Hej Åsa!\n", html="<p>Hej Åsa!</p>\n")
    return build_message(
        content,
        to_name=name,
        to_email="asa.oberg@vaxjo.se",
        token="0123abcd",
        settings=SETTINGS,
        now=datetime(2022, 3, 27, 1, 30, tzinfo=UTC),
        name="file",
        **kw,  # type: ignore[arg-type]
    )


def parsed(mail: Outgoing) -> EmailMessage:
    message = message_from_bytes(mail.data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_mail_without_invite_is_text_and_html_alternatives() -> None:
    message = parsed(build())

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == "Hej Åsa!\n"  # type: ignore[union-attr]


def test_an_invite_is_a_calendar_alternative_with_its_method_and_the_same_file_attached() -> None:
    message = parsed(build(invite=INVITE, method="REQUEST"))

    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    calendar = next(p for p in alternative.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content().encode() == INVITE
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == INVITE


def test_headers_carry_swedish_text_and_the_fixed_message_id() -> None:
    mail = build()
    message = parsed(mail)

    assert message["Subject"] == "Anmälan bekräftad: ASI"
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message["From"].addresses[0].addr_spec == "utbildning@kurser.example.se"
    assert message["Message-ID"] == mail.message_id == "<0123abcd@kurser.example.se>"
    assert message["Date"] == "Sun, 27 Mar 2022 03:30:00 +0200"  # Stockholm summer time
    assert (mail.sender, mail.recipient) == ("utbildning@kurser.example.se", "asa.oberg@vaxjo.se")


def test_a_long_swedish_subject_is_folded_into_short_encoded_words_and_decodes_whole() -> None:
    subject = "Kursdag 2 av 4 – Anmälan bekräftad: " + "Återfallsprevention för öppenvården " * 5
    mail = build(subject=subject)

    head = mail.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert all(len(line) <= 998 for line in head.split("\r\n"))
    assert all(len(word) <= 75 for word in re.findall(r"=\?utf-8\?b\?[^?]*\?=", head))
    assert parsed(mail)["Subject"] == subject.strip()


def test_an_invite_without_a_known_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method"):
        build(invite=INVITE, method="PUBLISH")


def test_an_address_with_a_line_break_is_refused() -> None:
    content = MailContent(subject="x", text="x", html="x")
    with pytest.raises(ValueError, match="CR or LF"):
        build_message(
            content,
            to_name="x",
            to_email="a@vaxjo.se\r\nBcc: evil@example.com",
            token="t",
            settings=SETTINGS,
            now=datetime(2022, 3, 1, tzinfo=UTC),
            name="x",
        )
