"""The VTIMEZONE of a zone (RFC 5545 3.6.5), written from zoneinfo's own transitions.

icalendar's `Timezone.from_tzid` puts every change to summer time one hour late: it walks wall
time, where the skipped hour still has the old offset, and writes the first wall time with the
new offset (03:00) as the onset, which RFC 5545 reads in TZOFFSETFROM (+01:00), i.e. 02:00 UTC
instead of 01:00 UTC. Here the transitions are found in UTC and each onset is written as the
local time of the offset in use before it, as the RFC says.

One observance per transition, each with only its DTSTART (no RRULE or RDATE to expand), after
one for the offset in use when the span begins. The span is whole years; the zone is any that
zoneinfo knows (the COURSES_TIMEZONE setting), nothing is written for one zone by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Observance", "observances", "vtimezone"]

_STEP = timedelta(days=1)  # no zone changes its offset and back again within a day


@dataclass(frozen=True, slots=True)
class Observance:
    """From `onset` (UTC) on, local time is UTC + `offset_to`; before it, UTC + `offset_from`."""

    onset: datetime
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def local_onset(self) -> datetime:
        """The onset as RFC 5545 writes it: a local time in the offset in use before it."""
        return (self.onset + self.offset_from).replace(tzinfo=None)


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None  # a ZoneInfo always answers
    # Daylight is time put ahead of the standard offset; tzdata's negative saving (Dublin's
    # winter GMT) stays STANDARD, as clients expect.
    return offset, local.tzname() or "", dst is not None and dst > timedelta(0)


def _onset(zone: ZoneInfo, before: datetime, after: datetime) -> datetime:
    """The first second in (before, after] whose offset, name or kind differs from `before`'s."""
    was = _state(zone, before)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        middle = middle.replace(microsecond=0)
        if _state(zone, middle) == was:
            before = middle
        else:
            after = middle
    return after


def observances(tzid: str, first_year: int, last_year: int) -> list[Observance]:
    """What the zone does from local 1 January `first_year` to local 1 January `last_year + 1`."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=zone).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=zone).astimezone(UTC)
    offset, name, daylight = _state(zone, start)
    found = [Observance(start, offset, offset, name, daylight)]
    instant, state = start, (offset, name, daylight)
    while instant < end:
        following = min(instant + _STEP, end)
        next_state = _state(zone, following)
        if next_state != state:
            onset = _onset(zone, instant, following)
            offset_to, name, daylight = _state(zone, onset)
            found.append(Observance(onset, found[-1].offset_to, offset_to, name, daylight))
        instant, state = following, next_state
    return found


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _text(value: str) -> str:
    return "".join("\\" + c if c in "\\;," else c for c in value if c >= " ")


def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE block (CRLF lines, none longer than 75 octets) for the span of years."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{_text(tzid)}"]
    for observance in observances(tzid, first_year, last_year):
        kind = "DAYLIGHT" if observance.daylight else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{observance.local_onset:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(observance.offset_from)}",
            f"TZOFFSETTO:{_offset(observance.offset_to)}",
        ]
        if observance.name:
            lines.append(f"TZNAME:{_text(observance.name)}")
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return "".join(line + "\r\n" for line in lines).encode()
