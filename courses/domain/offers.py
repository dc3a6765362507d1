"""Timed offers from the waitlist: who is offered a freed seat, until when, and how.

A course with `offer_hours` > 0 does not promote the first person waiting at once: it holds the
seat for them (status `offered`) and gives them until `offered_at + offer_hours` to accept.
The answer time never passes the start of the last window, `offer_until_hours` before the first
session. A seat that frees up inside the last window is offered to everyone waiting at once,
without holding it: the first to accept gets it (an open offer). No offer is made once the first
session has begun, and a course with `offer_hours = 0` promotes at once, as before.

An offer ends in one of the outcomes below. Someone who declines leaves the queue (their
registration is cancelled: they said they cannot come); someone who does not answer in time
goes back to the waitlist, last in line, and may be offered a seat again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

__all__ = [
    "DEFAULT_OFFER_UNTIL_HOURS",
    "OfferKind",
    "OfferOutcome",
    "OfferPlan",
    "plan_offer",
]

DEFAULT_OFFER_UNTIL_HOURS = 24


class OfferKind(StrEnum):
    PROMOTE = "promote"
    """Promoted at once (`offer_hours = 0`)."""
    HELD = "held"
    """The seat is held for the first person waiting until `due_at`."""
    OPEN = "open"
    """Inside the last window: everyone waiting is told, the first to accept gets the seat."""
    NONE = "none"
    """The first session has begun (or no session is known): nobody is moved up."""


class OfferOutcome(StrEnum):
    """How an offer ended; stored on the registration, read by its manage page."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    """Not answered in time: back on the waitlist, last in line."""
    GONE = "gone"
    """An open offer whose seat someone else took first."""


@dataclass(frozen=True, slots=True)
class OfferPlan:
    kind: OfferKind
    due_at: datetime | None = None
    """Until when an offer made now may be answered (HELD: the hold's end; OPEN: the first
    session's start)."""


def plan_offer(
    *,
    offer_hours: int,
    offer_until_hours: int,
    first_start: datetime | None,
    now: datetime,
) -> OfferPlan:
    """How a seat that frees up at `now` goes to the waitlist.

    >>> from datetime import timezone as tz
    >>> start = datetime(2022, 9, 14, 7, tzinfo=tz.utc)
    >>> plan_offer(offer_hours=48, offer_until_hours=24, first_start=start,
    ...            now=datetime(2022, 9, 10, 7, tzinfo=tz.utc)).kind
    <OfferKind.HELD: 'held'>
    """
    if first_start is None or now >= first_start:
        return OfferPlan(OfferKind.NONE)
    if offer_hours <= 0:
        return OfferPlan(OfferKind.PROMOTE)
    # Real hours: `now + timedelta` on a datetime in Europe/Stockholm adds wall-clock hours,
    # one hour too many (or too few) across a change of summer time.
    now = now.astimezone(UTC)
    last_window = first_start - timedelta(hours=max(offer_until_hours, 0))
    if now >= last_window:
        return OfferPlan(OfferKind.OPEN, due_at=first_start)
    return OfferPlan(OfferKind.HELD, due_at=min(now + timedelta(hours=offer_hours), last_window))
