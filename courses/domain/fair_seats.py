"""Fair seats (`per_employer = N`): while the share lasts, an employer holds at most N seats.

The share lasts through the whole of its last day (`share_until`, by default the deadline) in
the organizer's time zone, and ends at 00:00 local time the next day, like the deadline. A seat
is held by a registration that is confirmed, waiting for its manager's approval, or offered
from the waitlist. After the
share, seats go to the waitlist in queue order whatever the employer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from courses.domain.rules import RegistrationStatus, swedish_date
from courses.domain.timing import local_midnight

__all__ = [
    "HOLDING_STATUSES",
    "Share",
    "active_share",
    "at_share",
    "share_line",
    "share_of",
    "waitlisted_by_share",
]

HOLDING_STATUSES = frozenset(
    {RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_APPROVAL, RegistrationStatus.OFFERED}
)
"""The statuses that count against an employer's share."""


@dataclass(frozen=True, slots=True)
class Share:
    per_employer: int
    last_day: date

    def ends_at(self, tz: ZoneInfo) -> datetime:
        """The instant the share ends: 00:00 local time the day after its last day."""
        return local_midnight(self.last_day + timedelta(days=1), tz)

    def applies(self, now: datetime, tz: ZoneInfo) -> bool:
        return now < self.ends_at(tz)


def share_of(per_employer: int | None, share_until: date | None, deadline: date) -> Share | None:
    """The course's share, or None for a course without fair seats."""
    if per_employer is None:
        return None
    return Share(per_employer, share_until or deadline)


def active_share(
    per_employer: int | None,
    share_until: date | None,
    deadline: date,
    *,
    now: datetime,
    tz: ZoneInfo,
) -> Share | None:
    """The share if it still applies at `now`; None when there is none or it has ended."""
    share = share_of(per_employer, share_until, deadline)
    return share if share is not None and share.applies(now, tz) else None


def at_share(share: Share | None, held: int) -> bool:
    """Whether an employer holding `held` seats may get no further one now."""
    return share is not None and held >= share.per_employer


def _seats(n: int) -> str:
    return "1 plats" if n == 1 else f"{n} platser"


def _day(day: date) -> str:
    """`25 augusti`: the year is the course's own, so it is left out."""
    return swedish_date(day).rsplit(" ", 1)[0]


def share_line(share: Share) -> str:
    """`Högst 1 plats per arbetsgivare till och med 25 augusti` (course page, catalogue)."""
    return (
        f"Högst {_seats(share.per_employer)} per arbetsgivare till och med {_day(share.last_day)}"
    )


def waitlisted_by_share(share: Share) -> str:
    """Why someone was waitlisted although seats may be free (answer, mail, manage page)."""
    return (
        f"Varje arbetsgivare får högst {_seats(share.per_employer)} till och med "
        f"{_day(share.last_day)}; du står på reservlistan och får en plats om det finns någon "
        "kvar när fördelningen upphör."
    )
