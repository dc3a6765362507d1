"""The VTIMEZONE the invites carry, read back by a reader of its own (no libical): for every
zone tried and every day of 2020-2035 its offset is zoneinfo's, each change at zoneinfo's second.

The onset of an observance is its DTSTART read in its TZOFFSETFROM (RFC 5545 3.6.5); icalendar's
`Timezone.from_tzid` wrote the change to summer time an hour late, which this reading catches.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courses.calendar.zone import vtimezone

ZONES = [
    "Europe/Stockholm",
    "America/New_York",
    "Australia/Sydney",  # summer time over the new year
    "Australia/Lord_Howe",  # a half-hour saving
    "Europe/Dublin",  # tzdata's negative saving in winter
    "America/Sao_Paulo",  # no saving since 2019
    "Asia/Tokyo",
    "UTC",
]


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    hours, minutes, seconds = int(text[1:3]), int(text[3:5]), int(text[5:7] or 0)
    return sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)


def onsets(block: bytes) -> list[tuple[datetime, timedelta]]:
    """(onset in UTC, offset from then on) of every observance, in order of onset."""
    found = []
    fields: dict[str, str] = {}
    for line in block.decode().split("\r\n"):
        name, _, value = line.partition(":")
        if name in ("BEGIN", "END") and value in ("STANDARD", "DAYLIGHT"):
            if name == "END":
                local = datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%S")
                onset = (local - _offset(fields["TZOFFSETFROM"])).replace(tzinfo=UTC)
                found.append((onset, _offset(fields["TZOFFSETTO"])))
            fields = {}
        else:
            fields[name] = value
    return sorted(found)


def offset_at(observed: list[tuple[datetime, timedelta]], instant: datetime) -> timedelta:
    before = [offset for onset, offset in observed if onset <= instant]
    assert before, f"{instant} is before the block's first observance"
    return before[-1]


@pytest.mark.parametrize("tzid", ZONES)
def test_offsets_agree_with_zoneinfo_every_day_and_at_every_change(tzid: str) -> None:
    zone = ZoneInfo(tzid)
    observed = onsets(vtimezone(tzid, 2020, 2035))
    first = datetime(2020, 1, 1, tzinfo=zone).astimezone(UTC)
    assert observed[0][0] == first
    changes = [onset for onset, _ in observed[1:]]
    days = [first + timedelta(hours=12 + 24 * n) for n in range(16 * 366 - 1)]
    edges = [
        c + d for c in changes for d in (timedelta(seconds=-1), timedelta(0), timedelta(minutes=30))
    ]
    for instant in days + edges:
        expected = instant.astimezone(zone).utcoffset()
        assert offset_at(observed, instant) == expected, f"{tzid} at {instant:%Y-%m-%d %H:%M:%S}Z"


def test_stockholm_changes_at_one_utc_in_march_and_october() -> None:
    block = vtimezone("Europe/Stockholm", 2027, 2027).decode()

    # Spring: at 01:00 UTC, 02:00 local standard time becomes 03:00 summer time.
    assert "DTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n" in block
    # Autumn: at 01:00 UTC, 03:00 local summer time becomes 02:00 standard time.
    assert "DTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n" in block
    assert [onset for onset, _ in onsets(block.encode())] == [
        datetime(2026, 12, 31, 23, tzinfo=UTC),
        datetime(2027, 3, 28, 1, tzinfo=UTC),
        datetime(2027, 10, 31, 1, tzinfo=UTC),
    ]


def test_block_covers_only_the_years_asked_for() -> None:
    observed = onsets(vtimezone("America/New_York", 2030, 2031))

    assert len(observed) == 5  # the offset on 1 January 2030, then two changes a year
    assert {onset.year for onset, _ in observed} == {2030, 2031}


def test_zone_without_changes_has_one_standard_observance() -> None:
    block = vtimezone("Asia/Tokyo", 2022, 2023).decode()

    assert block.count("BEGIN:STANDARD") == 1
    assert "BEGIN:DAYLIGHT" not in block
    assert "TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nTZNAME:JST\r\n" in block
