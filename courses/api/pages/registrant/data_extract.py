"""The registerutdrag as the registrant downloads it: JSON with Swedish names a person can read.

Every stored column of the registration is here (less the manage token's check value, which is
said in words), with the course it is for, its employer, the attendance marks and the mails
about it still kept, each with what it said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from courses.domain.courses import FormatRecord
from courses.domain.wording import describe_session
from courses.services.retention.data_extract import DescribedMail, RegistrationData
from courses.storage.data_extract import StoredRegistration

__all__ = ["extract_json"]

_STATUS = {
    "confirmed": "bekräftad",
    "waitlisted": "på reservlistan",
    "cancelled": "avanmäld",
    "pending_approval": "väntar på chefens godkännande",
    "applied": "ansökt, väntar på lottning",
    "offered": "erbjuden en plats från reservlistan, väntar på ditt svar",
    "transferred": "överlåten till en kollega",
}
_OFFER_OUTCOME = {
    None: "väntar på ditt svar",
    "accepted": "du tackade ja",
    "declined": "du tackade nej och lämnade reservlistan",
    "lapsed": "du svarade inte i tid och flyttades sist på reservlistan",
    "gone": "platsen gick till någon som tackade ja före dig",
}
_MAIL_KINDS = {
    "confirmed": "bekräftelse",
    "waitlisted": "plats på reservlistan",
    "promoted": "plats från reservlistan",
    "cancelled": "bekräftelse på avanmälan",
    "already_registered": "länken till anmälan, skickad igen",
    "course_changed": "kursen har ändrats",
    "course_cancelled": "kursen är inställd",
    "applied": "ansökan mottagen",
    "reminder": "påminnelse",
    "awaiting_approval": "anmälan väntar på chefens godkännande",
    "approved": "chefen har godkänt anmälan",
    "declined": "chefen har avslagit anmälan",
    "approval_expired": "anmälan borttagen, chefen svarade inte i tid",
    "approval_request": "fråga till chefen om godkännande",
    "approval_reminder": "påminnelse till chefen",
    "my_registrations": "lista över dina anmälningar, med länkarna",
    "format_changed": "anmälan flyttad till ett annat format",
    "offered": "erbjudande om en plats från reservlistan",
    "offer_lapsed": "tiden för att svara på erbjudandet gick ut",
    "offer_gone": "den erbjudna platsen gick till någon annan",
    "offer_declined": "du tackade nej till den erbjudna platsen",
    "transferred_in": "plats överlåten till dig av en kollega",
    "transferred_out": "din plats överlåten till en kollega",
}
_MAIL_STATUS = {
    "pending": "väntar på att skickas",
    "sending": "skickas",
    "sent": "skickat",
    "failed": "kunde inte skickas",
}
_INVITE = {"REQUEST": "kalenderinbjudan", "CANCEL": "borttagning ur kalendern"}


def _participation(fmt: FormatRecord | None) -> str | None:
    if fmt is None:
        return None
    return "digitalt" if fmt.digital else "på plats"


def _moment(value: datetime | None, tz: ZoneInfo) -> str | None:
    return None if value is None else value.astimezone(tz).isoformat(timespec="seconds")


def _mail(described: DescribedMail, tz: ZoneInfo) -> dict[str, Any]:
    mail = described.stored
    return {
        "slag": _MAIL_KINDS.get(mail.kind, mail.kind),
        "innehåll": described.about,
        "uppgifter": described.content,
        "status": _MAIL_STATUS.get(mail.status, mail.status),
        "kalender": _INVITE.get(mail.method or ""),
        "kursdag": mail.part,
        "uppgifter i mejlet": mail.payload,
        "försök": mail.attempts,
        "skapat": _moment(mail.created_at, tz),
        "skickat": _moment(mail.sent_at, tz),
        "fel": mail.last_error,
    }


def _offer(stored: StoredRegistration, *, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """A seat offered from the waitlist: when, the time to answer, and how it ended."""
    if stored.offered_at is None:
        return {}
    outcome = _OFFER_OUTCOME.get(stored.offer_outcome, stored.offer_outcome)
    if stored.offer_outcome is None and stored.offer_due_at and stored.offer_due_at <= now:
        outcome = "tiden för att svara gick ut"
    return {
        "plats erbjuden": _moment(stored.offered_at, tz),
        "svar senast": _moment(stored.offer_due_at, tz),
        "erbjudandet": outcome,
    }


def extract_json(data: RegistrationData, *, base_url: str, now: datetime, tz: ZoneInfo) -> bytes:
    details = data.details
    stored = data.stored
    course = details.course
    document = {
        "om": (
            "Registerutdrag: allt som tjänsten har sparat om din anmälan. Tider är svensk "
            "tid. Länken till din anmälan sparas inte, bara ett kontrollvärde som inte går "
            "att räkna tillbaka till länken."
        ),
        "hämtat": _moment(now, tz),
        "anmälan": {
            "nummer": details.id,
            "status": _STATUS[details.status.value],
            "plats på reservlistan": details.waitlist_position,
            "namn": details.name,
            "e-postadress": details.email,
            "e-postadress för dubblettkontroll": stored.email_key,
            "arbetsgivare": details.employer_name,
            "arbetsplats": details.workplace,
            "telefonnummer": details.phone,
            "meddelande": details.message,
            "deltar": _participation(details.format),
            "plats": details.format.place if details.format else None,
            "nummer i kursens kö": stored.queue_no,
            "anmäld": _moment(stored.created_at, tz),
            "bekräftad": _moment(stored.confirmed_at, tz),
            "avanmäld": _moment(stored.cancelled_at, tz),
            "senast ändrad": _moment(stored.updated_at, tz),
            "påminnelse skickad": _moment(stored.reminded_at, tz),
            "länken skickad igen": _moment(stored.resent_at, tz),
            **(
                {
                    "chefens e-postadress": stored.manager_email,
                    "chefen tillfrågad": _moment(stored.approval_asked_at, tz),
                    "chefen kan svara till": _moment(stored.approval_due_at, tz),
                    "påminnelse till chefen": _moment(stored.approval_reminded_at, tz),
                }
                if stored.manager_email
                else {}
            ),
            **_offer(stored, now=now, tz=tz),
            **({"ersatte": stored.replaces} if stored.replaces else {}),
            **({"ersattes av": stored.replaced_by} if stored.replaced_by else {}),
        },
        "kurs": {
            "namn": course.title,
            "adress": f"{base_url}/kurser/{course.slug}",
            "kursdagar": [
                describe_session(s.day, s.start_time, s.end_time) for s in course.sessions
            ],
        },
        "närvaro": [
            {
                "kursdag": mark.session_position,
                "närvarande": mark.attended,
                "markerad": _moment(mark.marked_at, tz),
            }
            for mark in data.attendance
        ],
        "mejl": [_mail(mail, tz) for mail in data.mails],
    }
    return msgspec.json.format(msgspec.json.encode(document), indent=2)
