"""What registrants write cannot reach the HTML unescaped, add a header or recipient, or add a
calendar property."""

from __future__ import annotations

import pytest

from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from tests.conftest import form
from tests.mail import parse
from tests.mail.scenarios import (
    ATERFALL,
    LVM,
    deliver,
    rename,
)
from tests.mail.smtp_server import SmtpServer

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
