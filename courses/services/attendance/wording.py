"""How the attendee list words a registration's status: the plain word, and what an offer
or a transfer adds to it (until when an offer may be answered, who took over whose seat).
The leaders' page and the CSV and XLSX files say the same."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from courses.domain.offers import OfferOutcome
from courses.domain.rules import RegistrationStatus, swedish_date
from courses.domain.wording import swedish_time

__all__ = ["STATUS_WORDS", "status_text"]

STATUS_WORDS = {
    RegistrationStatus.CONFIRMED: "Bekräftad",
    RegistrationStatus.WAITLISTED: "Reservlista",
    RegistrationStatus.CANCELLED: "Avanmäld",
    RegistrationStatus.PENDING_APPROVAL: "Väntar på chefens godkännande",
    RegistrationStatus.APPLIED: "Ansökt (lottning)",
    RegistrationStatus.OFFERED: "Erbjuden plats",
    RegistrationStatus.TRANSFERRED: "Överlåten",
}
"""Each status in one or two words (`status_text` adds the details)."""


def _moment(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{swedish_date(local.date())} kl. {swedish_time(local.time())}"


def status_text(
    status: RegistrationStatus,
    *,
    tz: ZoneInfo,
    offer_due_at: datetime | None = None,
    offer_outcome: OfferOutcome | None = None,
    offer_open: bool = False,
    replaces: str | None = None,
    replaced_by: str | None = None,
) -> str:
    """`Erbjuden plats, svar senast 14 september 2022 kl. 09.00`, `Överlåten till Bo Ek`,
    `Bekräftad, ersätter Anna Andersson`; otherwise the plain word.

    `offer_open`: a waiting registration told of a free seat in the last window (whoever
    accepts first gets it), whose time has not run out.
    """
    word = STATUS_WORDS[status]
    if status is RegistrationStatus.OFFERED and offer_due_at is not None:
        word = f"{word}, svar senast {_moment(offer_due_at, tz)}"
    elif status is RegistrationStatus.TRANSFERRED and replaced_by:
        word = f"Överlåten till {replaced_by}"
    elif status is RegistrationStatus.WAITLISTED and offer_open and offer_due_at is not None:
        word = (
            f"{word}, erbjuden ledig plats (den som först tackar ja får den), "
            f"svar senast {_moment(offer_due_at, tz)}"
        )
    elif status is RegistrationStatus.WAITLISTED and offer_outcome is OfferOutcome.LAPSED:
        word = f"{word} (svarade inte i tid på en erbjuden plats)"
    elif status is RegistrationStatus.CANCELLED and offer_outcome is OfferOutcome.DECLINED:
        word = f"{word} (tackade nej till en erbjuden plats)"
    if replaces:
        word = f"{word}, ersätter {replaces}"
    return word
