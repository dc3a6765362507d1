"""The registrant's data extract (registerutdrag): all that is stored about their registration.

One service for both ways out: the manage page's download (`/anmalan/{token}/registerutdrag`)
and `GET /api/registrations/{token}/data`. A mail's text is built when it is sent and not kept,
so each mail is described in Swedish from its kind and the facts its outbox row holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from courses.domain.errors import RegistrationNotFound
from courses.domain.notices import MailKind, Method
from courses.services.context import ServiceContext
from courses.services.registration.lookup import RegistrationDetails, get_registration
from courses.storage.data_extract import (
    StoredMail,
    StoredMark,
    StoredRegistration,
    stored_attendance,
    stored_mails,
    stored_registration,
)
from courses.storage.payloads import (
    CourseCancelled,
    CourseChanged,
    Message,
    Offered,
    Payload,
    TransferredIn,
    TransferredOut,
    decode_payload,
)

__all__ = ["DescribedMail", "RegistrationData", "describe_mail", "registration_data"]

_ABOUT = {
    MailKind.CONFIRMED: "Bekräftelse på din plats, med länken till din anmälan.",
    MailKind.WAITLISTED: "Besked om att du står på reservlistan, med länken till din anmälan.",
    MailKind.PROMOTED: "Besked om att du har fått en plats från reservlistan.",
    MailKind.CANCELLED: "Bekräftelse på att du är avanmäld.",
    MailKind.ALREADY_REGISTERED: "Länken till din anmälan, skickad igen när du anmälde dig på "
    "nytt.",
    MailKind.COURSE_CHANGED: "Besked om att kursen har ändrats.",
    MailKind.COURSE_CANCELLED: "Besked om att kursen är inställd.",
    MailKind.REMINDER: "Påminnelse inför kursens första dag.",
    MailKind.AWAITING_APPROVAL: "Besked om att din anmälan väntar på din chefs godkännande.",
    MailKind.APPROVED: "Bekräftelse på att din chef har godkänt din anmälan.",
    MailKind.DECLINED: "Besked om att din chef har avslagit din anmälan.",
    MailKind.APPROVAL_EXPIRED: "Besked om att anmälan togs bort när chefen inte svarade i tid.",
    MailKind.APPROVAL_REQUEST: "Mejl till din chef med frågan om att godkänna din anmälan.",
    MailKind.APPROVAL_REMINDER: "Påminnelse till din chef om att svara på din anmälan.",
    MailKind.APPROVAL_WITHDRAWN: "Besked till din chef om att anmälan inte längre behöver "
    "godkännas.",
    MailKind.APPLIED: "Besked om att din ansökan är mottagen och när platserna lottas.",
    MailKind.MESSAGE: "Ett meddelande om kursen från kursledaren eller administratören.",
    MailKind.FORMAT_CHANGED: "Besked om att din anmälan har flyttats till ett annat format.",
    MailKind.OFFERED: "Erbjudande om en ledig plats från reservlistan, med en tid att svara "
    "och länken för att tacka ja eller nej.",
    MailKind.OFFER_LAPSED: "Besked om att tiden för att svara på den erbjudna platsen gick ut "
    "och att du står kvar sist på reservlistan.",
    MailKind.OFFER_GONE: "Besked om att den lediga platsen gick till någon som tackade ja "
    "före dig och att du står kvar på reservlistan.",
    MailKind.OFFER_DECLINED: "Bekräftelse på att du tackade nej till platsen och inte längre "
    "står på reservlistan.",
    MailKind.TRANSFERRED_IN: "Bekräftelse på platsen som en kollega överlät till dig, med "
    "länken till din anmälan.",
    MailKind.TRANSFERRED_OUT: "Bekräftelse på att du har överlåtit din plats till en kollega.",
}
_INVITE = {
    Method.REQUEST.value: "Med kalenderinbjudan för kursdag {part}.",
    Method.CANCEL.value: "Tar bort kursdag {part} ur din kalender.",
}


@dataclass(frozen=True, slots=True)
class DescribedMail:
    stored: StoredMail
    about: str
    """What the mail told the registrant, in Swedish."""
    content: list[str]
    """The facts it carried beyond the stored registration (a waitlist place, what changed)."""


def _facts(payload: Payload | None) -> list[str]:
    if payload is None:
        return []
    facts = []
    if (position := getattr(payload, "waitlist_position", None)) is not None:
        facts.append(f"Din plats på reservlistan: {position}.")
    if isinstance(payload, CourseChanged | CourseCancelled):
        facts += payload.changes
        facts += [
            f"Kursdag {s.position} ({s.day.isoformat()}) är borttagen." for s in payload.removed
        ]
    if isinstance(payload, Message):
        facts += [f"Ämne: {payload.subject}", payload.text]
    if isinstance(payload, Offered) and payload.open:
        facts.append("Platsen erbjöds alla på reservlistan; den som först tackade ja fick den.")
    if isinstance(payload, TransferredIn):
        facts.append(f"Platsen överläts till dig av {payload.from_name}.")
    if isinstance(payload, TransferredOut):
        facts.append(f"Du överlät platsen till {payload.to_name}.")
    return facts


def describe_mail(mail: StoredMail) -> DescribedMail:
    """The stored mail with what it said, in words."""
    try:
        payload: Payload | None = decode_payload(mail.kind, mail.payload)
    except msgspec.ValidationError:
        payload = None  # an old or odd row: the raw payload is still in the extract
    try:
        about = _ABOUT[MailKind(mail.kind)]
    except (ValueError, KeyError):
        about = f"Ett mejl av slaget {mail.kind}."
    if mail.method in _INVITE and mail.part is not None:
        about += " " + _INVITE[mail.method].format(part=mail.part)
    return DescribedMail(mail, about, _facts(payload))


@dataclass(frozen=True, slots=True)
class RegistrationData:
    details: RegistrationDetails
    stored: StoredRegistration
    attendance: list[StoredMark]
    mails: list[DescribedMail]


async def registration_data(ctx: ServiceContext, token: str) -> RegistrationData:
    """The registration behind a manage token with every stored column, its attendance marks
    and its mails.

    Raises RegistrationNotFound for an unknown (or purged) token. Read on every call: an extract
    is rare and must be current.
    """
    details = await get_registration(ctx, token)
    async with ctx.db.read() as conn:
        stored = await stored_registration(conn, details.id)
        attendance = await stored_attendance(conn, details.id)
        mails = await stored_mails(conn, details.id)
    if stored is None:  # purged between the two reads
        raise RegistrationNotFound("Anmälan finns inte, eller så är länken ogiltig.")
    return RegistrationData(
        details=details,
        stored=stored,
        attendance=attendance,
        mails=[describe_mail(mail) for mail in mails],
    )
