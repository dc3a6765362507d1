"""Calendar rules: when registration opens and closes, when a session starts.

Dates in the schedule are local dates in the organizer's time zone. A day is turned into an
instant with `zoneinfo`, so a deadline on the day clocks change still closes at local midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["SessionTime", "local_midnight", "registration_closes_at", "registration_opens_at"]


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant (in UTC) at which `day` begins in `tz`."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def registration_opens_at(opens: date | None, tz: ZoneInfo) -> datetime | None:
    """Registration is open from the start of the opening day, local time."""
    return None if opens is None else local_midnight(opens, tz)


def registration_closes_at(deadline: date, tz: ZoneInfo) -> datetime:
    """ "Sista anmälningsdag" is inclusive: closed from 00:00 local time the next day."""
    return local_midnight(deadline + timedelta(days=1), tz)


@dataclass(frozen=True, slots=True)
class SessionTime:
    """One session day; no start and end time means an all-day session."""

    day: date
    start: time | None = None
    end: time | None = None

    @property
    def all_day(self) -> bool:
        return self.start is None

    def starts_at(self, tz: ZoneInfo) -> datetime:
        """When the session begins (an all-day session begins at local midnight)."""
        start = self.start or time(0)
        return datetime.combine(self.day, start, tzinfo=tz).astimezone(UTC)

    def ends_at(self, tz: ZoneInfo) -> datetime:
        """When the session ends (an all-day session ends at the next local midnight)."""
        if self.end is None:
            return local_midnight(self.day + timedelta(days=1), tz)
        return datetime.combine(self.day, self.end, tzinfo=tz).astimezone(UTC)
