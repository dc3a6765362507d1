"""What the mails of waitlist offers and handed-on seats say beyond a course's facts: until
when an offer holds and where to answer it, the place on the waitlist after it, and who handed
a seat to whom."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from courses.domain.rules import swedish_date
from courses.domain.wording import one_line, swedish_time, swedish_weekday
from courses.storage.payloads import (
    Offered,
    OfferGone,
    OfferLapsed,
    Payload,
    Promoted,
    TransferredIn,
    TransferredOut,
    Waitlisted,
)

__all__ = ["hours_words", "moment_words", "offer_context", "offer_url"]


def moment_words(moment: datetime, tz: ZoneInfo) -> str:
    """`torsdag 3 mars 2022 kl. 10.00` in the organizer's time zone, as the sessions are
    written. A time at midnight is the end of the day before (`kl. 24.00`): an answer due
    "tisdag kl. 00.00" reads to many as the end of Tuesday, a day too late."""
    local = moment.astimezone(tz)
    day, clock = local.date(), swedish_time(local.time())
    if (local.hour, local.minute) == (0, 0):
        day, clock = day - timedelta(days=1), "24.00"
    return f"{swedish_weekday(day)} {swedish_date(day)} kl. {clock}"


def hours_words(hours: int) -> str:
    return "1 timme" if hours == 1 else f"{hours} timmar"


def offer_url(manage_url: str) -> str:
    """The page to accept or decline an offered seat (`/anmalan/{token}/erbjudande`)."""
    return f"{manage_url}/erbjudande"


def offer_context(payload: Payload, *, manage_url: str | None, tz: ZoneInfo) -> dict[str, Any]:
    """The template variables of the offer and transfer mails (None where they do not apply).

    `waitlist_position` is the place the payload carries: a waitlisted notice's, or the place
    after an offer lapsed or went to someone else."""
    offer = None
    if isinstance(payload, Offered) and manage_url is not None:
        offer = {
            "open": payload.open,
            "until": moment_words(payload.due_at, tz),
            "url": offer_url(manage_url),
        }
    position = (
        payload.waitlist_position
        if isinstance(payload, Waitlisted | OfferLapsed | OfferGone)
        else None
    )
    return {
        "offer": offer,
        "waitlist_position": position,
        "accepted": isinstance(payload, Promoted) and payload.accepted,
        "from_name": one_line(payload.from_name) if isinstance(payload, TransferredIn) else None,
        "to_name": one_line(payload.to_name) if isinstance(payload, TransferredOut) else None,
        "held_for_manager": isinstance(payload, TransferredIn) and payload.pending_approval,
    }
