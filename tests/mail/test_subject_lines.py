"""No mail repeats its own subject in its body, glued to the greeting or as a stray first line.

A text template that defines a `subject` block without extending a layout prints that block
where it stands: the reader then sees "Din inloggningslänk till kursanmälanHej!". Every mail
kind is built here from plain facts (one sample payload each), laid out as MIME by the worker's
own builder, parsed back as a mail client would, and its text and visible HTML read line by
line.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from html import unescape

import pytest

from courses.domain.courses import CourseRecord, FormatKind, FormatRecord, Registrant, SessionRecord
from courses.domain.notices import MailKind, Method, WithdrawnBy
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.mail.content import MailContent, Templates
from courses.mail.message import build_message
from courses.services.outbox.delivery import (
    ApprovalFacts,
    ListingFacts,
    MailFacts,
    Organizer,
    SignInFacts,
)
from courses.services.outbox.listing import ListedRegistration
from courses.settings import Settings
from courses.storage.outbox import Claimed
from courses.storage.payloads import (
    AlreadyRegistered,
    Applied,
    ApprovalExpired,
    ApprovalReminder,
    ApprovalRequest,
    ApprovalWithdrawn,
    Approved,
    AwaitingApproval,
    Cancelled,
    Confirmed,
    CourseCancelled,
    CourseChanged,
    Declined,
    FormatChanged,
    Message,
    MyRegistrations,
    OfferDeclined,
    Offered,
    OfferGone,
    OfferLapsed,
    Payload,
    Promoted,
    Reminder,
    RemovedSession,
    SignIn,
    TransferredIn,
    TransferredOut,
    Waitlisted,
)
from tests.mail import parse

NOW = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
SENDER = "Beroendecentrum <utbildning@kronoberg.se>"
FORMAT = FormatRecord(1, "ljungby", FormatKind.ON_SITE, "Ljungby", None, None, 1)
SESSIONS = [
    SessionRecord(1, date(2022, 4, 5), time(9), time(16)),
    SessionRecord(2, date(2022, 4, 6), time(9), time(16)),
]
COURSE = CourseRecord(
    id=1,
    slug="aterfallsprevention-2022",
    title="Återfallsprevention",
    description=None,
    leaders=[{"name": "Sophie Andersson", "email": "sophie.andersson@kronoberg.se"}],
    deadline=date(2022, 3, 20),
    opens=None,
    seats=10,
    waitlist=True,
    info_url=None,
    status=CourseStatus.PUBLISHED,
    confirmed_count=1,
    revision=1,
    calendar_sequence=0,
    formats=[FORMAT],
    sessions=SESSIONS,
    approval_days=7,
)
REGISTRANT = Registrant(
    id=1,
    name="Anna Svensson",
    email="anna.svensson@vaxjo.se",
    status=RegistrationStatus.CONFIRMED,
    workplace="Beroendemottagningen",
    employer="Växjö kommun",
    format=FORMAT,
    manage_url="http://kurser.test/anmalan/hemlig",
)
APPROVAL = ApprovalFacts(
    manager_email="chef@vaxjo.se",
    link="http://kurser.test/godkann/hemlig",
    due_at=datetime(2022, 3, 8, 9, 0, tzinfo=UTC),
)
REMOVED = [RemovedSession(3, date(2022, 4, 7))]

SAMPLES: dict[MailKind, Payload] = {
    MailKind.CONFIRMED: Confirmed(parts=[1, 2]),
    MailKind.WAITLISTED: Waitlisted(waitlist_position=2),
    MailKind.PROMOTED: Promoted(parts=[1, 2]),
    MailKind.CANCELLED: Cancelled(parts=[1, 2]),
    MailKind.ALREADY_REGISTERED: AlreadyRegistered(),
    MailKind.COURSE_CHANGED: CourseChanged(
        parts=[1, 2, 3], changes=["Kursdag 1 flyttas."], removed=REMOVED
    ),
    MailKind.COURSE_CANCELLED: CourseCancelled(
        parts=[1, 2], changes=["Kursen är inställd."], reason="Kursledaren är sjuk."
    ),
    MailKind.REMINDER: Reminder(),
    MailKind.SIGN_IN: SignIn(),
    MailKind.APPLIED: Applied(draw_on=date(2022, 3, 21)),
    MailKind.AWAITING_APPROVAL: AwaitingApproval(),
    MailKind.APPROVED: Approved(parts=[1, 2]),
    MailKind.DECLINED: Declined(),
    MailKind.APPROVAL_EXPIRED: ApprovalExpired(),
    MailKind.APPROVAL_REQUEST: ApprovalRequest(),
    MailKind.APPROVAL_REMINDER: ApprovalReminder(),
    MailKind.APPROVAL_WITHDRAWN: ApprovalWithdrawn(by=WithdrawnBy.REGISTRANT),
    MailKind.FORMAT_CHANGED: FormatChanged(parts=[1, 2], was="digitalt"),
    MailKind.MESSAGE: Message(
        subject="Lokalen har flyttats", text="Vi ses i sal 3.\n\nTa med manualen.", session=1
    ),
    MailKind.MY_REGISTRATIONS: MyRegistrations(),
    MailKind.OFFERED: Offered(due_at=datetime(2022, 3, 3, 9, 0, tzinfo=UTC)),
    MailKind.OFFER_LAPSED: OfferLapsed(waitlist_position=3),
    MailKind.OFFER_GONE: OfferGone(waitlist_position=1),
    MailKind.OFFER_DECLINED: OfferDeclined(),
    MailKind.TRANSFERRED_IN: TransferredIn(parts=[1, 2], from_name="Bo Ek"),
    MailKind.TRANSFERRED_OUT: TransferredOut(parts=[1, 2], to_name="Bo Ek"),
}


def _claimed(kind: MailKind, payload: Payload, part: int | None) -> Claimed:
    parts = list(getattr(payload, "parts", []))
    return Claimed(
        id=1,
        registration_id=None if kind is MailKind.SIGN_IN else 1,
        kind=kind,
        part=part,
        method=Method.REQUEST if parts else None,
        payload=payload,
        message_id="test-message",
        attempts=0,
        created_at=NOW,
        sign_in_id=1 if kind is MailKind.SIGN_IN else None,
    )


def _content(kind: MailKind, part: int | None) -> MailContent:
    templates = Templates()
    payload = SAMPLES[kind]
    mail = _claimed(kind, payload, part)
    organizer = Organizer.of(SENDER)
    if kind is MailKind.SIGN_IN:
        link = "http://kurser.test/logga-in/hemlig"
        facts = SignInFacts(mail, "karin.berg@kronoberg.se", link, NOW, organizer, SENDER)
        return templates.render_sign_in(facts, tz=Settings().tz)
    if kind is MailKind.MY_REGISTRATIONS:
        listed = ListedRegistration(
            COURSE, "Beroendecentrum", RegistrationStatus.CONFIRMED, None, FORMAT, "http://x/a"
        )
        listing = ListingFacts(mail, "Anna", REGISTRANT.email, [listed], organizer, SENDER)
        return templates.render_listing(listing)
    return templates.render(
        MailFacts(mail, payload, REGISTRANT, COURSE, organizer, SENDER, approval=APPROVAL)
    )


def _read(content: MailContent) -> EmailMessage:
    """The mail as a client reads it: built by the worker's builder and parsed back."""
    outgoing = build_message(
        content,
        to_name=REGISTRANT.name,
        to_email=REGISTRANT.email,
        token="test-message",
        settings=Settings(mail_from=SENDER),
        now=NOW,
        name="test",
    )
    message = message_from_bytes(outgoing.data, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def visible_text(page: str) -> str:
    """What an HTML body shows: no head (its <title> is not read), tags end lines."""
    body = re.sub(r"(?is)<head>.*?</head>", "", page)
    body = re.sub(r"(?i)<br\s*/?>|</?(p|h\d|tr|table|div|li|ul|body|html)\b[^>]*>", "\n", body)
    return unescape(re.sub(r"<[^>]+>", "", body))


def leaks(subject: str, body: str) -> list[str]:
    """Lines that show the subject glued to other text, or the subject as the first line."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    found = [line for line in lines if subject in line and line != subject]
    if lines and lines[0] == subject:
        found.append(lines[0])
    return found


def _cases() -> list[tuple[MailKind, int | None]]:
    cases: list[tuple[MailKind, int | None]] = []
    for kind, payload in SAMPLES.items():
        parts = list(getattr(payload, "parts", []))
        # The notice itself, and a further message of it (its subject says which session).
        cases += [(kind, parts[0]), (kind, parts[1])] if parts else [(kind, None)]
    return cases


def test_every_mail_kind_has_a_sample() -> None:
    assert set(SAMPLES) == set(MailKind)


@pytest.mark.parametrize(("kind", "part"), _cases())
def test_no_body_repeats_its_subject(kind: MailKind, part: int | None) -> None:
    message = _read(_content(kind, part))
    subject = str(message["Subject"])
    assert subject

    text = parse.text(message)
    page = visible_text(parse.html(message))

    assert leaks(subject, text) == []
    assert leaks(subject, page) == []
    # The subject without a "Kursdag k av n – " prefix must not leak either.
    bare = subject.split(" – ", 1)[-1]
    assert leaks(bare, text) == []
    assert leaks(bare, page) == []


def test_a_glued_subject_is_seen() -> None:
    subject = "Din inloggningslänk till kursanmälan"

    assert leaks(subject, f"{subject}Hej!\n\nText") == [f"{subject}Hej!"]
    assert leaks(subject, f"{subject}\nHej!") == [subject]
    assert leaks(subject, f"<p>{subject}</p><p>Hej!</p>") != []
    assert leaks(subject, visible_text(f"<html><head><title>{subject}</title></head></html>")) == []
