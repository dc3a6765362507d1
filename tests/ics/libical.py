"""libical's verdict on the service's calendar files, and what zoneinfo says it should be.

libical is Debian's `gir1.2-ical-3.0` read through `python3-gi`, both system packages the venv
cannot import: `libical_check.py` runs in the system's /usr/bin/python3. Without them the tests
are skipped with a message that says how to get them; under CI (`CI=true`) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

SYSTEM_PYTHON = os.environ.get("COURSES_TEST_SYSTEM_PYTHON", "/usr/bin/python3")
CHECK = Path(__file__).with_name("libical_check.py")
PROBE = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"


def require_libical() -> None:
    """Skip (fail under CI) when the system's python3 cannot load ICalGLib."""
    try:
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", PROBE], capture_output=True, text=True, timeout=60
        )
        missing = probe.returncode != 0 and probe.stderr.strip().splitlines()[-1]
    except FileNotFoundError:
        missing = f"no {SYSTEM_PYTHON}"
    if missing:
        message = (
            f"libical is not available to {SYSTEM_PYTHON} ({missing}): "
            "install it with `apt-get install gir1.2-ical-3.0 python3-gi`."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class IcsFile:
    """One calendar file to check, and the UTC instants to ask its VTIMEZONE about."""

    name: str
    ics: bytes
    instants: list[datetime] = field(default_factory=list)
    tzid: str | None = None

    @classmethod
    def of(cls, name: str, ics: bytes) -> IcsFile:
        """The file, to be asked about every day and change of the years its timed events need."""
        timed = [m for m in _START.finditer(_unfolded(ics)) if m["tzid"] is not None]
        if not timed:
            return cls(name, ics)
        tzid = timed[0]["tzid"]
        years = [int(m["value"][:4]) for m in timed]
        return cls(name, ics, instants(tzid, min(years), max(years)), tzid)


def assert_libical_accepts(files: list[IcsFile]) -> list[dict[str, object]]:
    """Every file checked by libical in one run; its answers."""
    answers = libical(files)
    assert len(answers) == len(files)
    for file, answer in zip(files, answers, strict=True):
        assert_accepted(file, answer)
    return answers


def libical(files: list[IcsFile]) -> list[dict[str, object]]:
    """libical's answer for every file (see libical_check.py), in one run of the checker."""
    request = {
        "files": [
            {"name": f.name, "ics": f.ics.decode(), "instants": [_ical(i) for i in f.instants]}
            for f in files
        ]
    }
    done = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers: list[dict[str, object]] = json.loads(done.stdout)
    return answers


def _ical(instant: datetime) -> str:
    return f"{instant.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _state(zone: ZoneInfo, instant: datetime) -> timedelta | None:
    return instant.astimezone(zone).utcoffset()


def changes(tzid: str, first_year: int, last_year: int) -> list[datetime]:
    """zoneinfo's offset changes in the years, each the first second of the new offset."""
    zone = ZoneInfo(tzid)
    instant = datetime(first_year, 1, 2, tzinfo=UTC)
    end = datetime(last_year, 12, 31, tzinfo=UTC)
    found = []
    while instant < end:
        after = instant + timedelta(hours=6)  # changes are months apart
        if _state(zone, after) != _state(zone, instant):
            low, high = instant, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (
                    (middle, high) if _state(zone, middle) == _state(zone, low) else (low, middle)
                )
            found.append(high)
        instant = after
    return found


def instants(tzid: str, first_year: int, last_year: int) -> list[datetime]:
    """Noon UTC of every day in the years, and the last and first second around every change."""
    start = datetime(first_year, 1, 1, 12, tzinfo=UTC)
    days = (datetime(last_year + 1, 1, 1, tzinfo=UTC) - start).days + 1
    around = [
        c + d
        for c in changes(tzid, first_year, last_year)
        for d in (timedelta(seconds=-1), timedelta(0))
    ]
    return [start + timedelta(days=n) for n in range(days)] + around


_START = re.compile(r"^DTSTART(?:;TZID=(?P<tzid>[^:;]+)|;VALUE=DATE):(?P<value>\w+)$", re.M)


def _unfolded(ics: bytes) -> str:
    return ics.decode().replace("\r\n ", "").replace("\r\n", "\n")


def expected_starts(ics: bytes) -> list[str]:
    """Every DTSTART as UTC by zoneinfo (a DATE as it is), as libical_check.py reports them."""
    found = []
    for match in _START.finditer(_unfolded(ics)):
        value, tzid = match["value"], match["tzid"]
        if tzid is None:
            found.append(value)
            continue
        local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo(tzid))
        found.append(_ical(local))
    return found


def assert_accepted(file: IcsFile, answer: dict[str, object]) -> None:
    """No X-LIC-ERROR, the RFC 5546 restrictions met, every offset and start as zoneinfo's."""
    name, tzid = file.name, file.tzid
    assert answer["name"] == name
    assert answer["errors"] == [], f"{name}: {answer['errors']}"
    assert answer["valid"] == 1, f"{name}: check_restrictions failed"
    zones = answer["zones"]
    assert isinstance(zones, dict)
    if tzid is None:
        assert zones == {}, f"{name}: a VTIMEZONE it does not need"
    else:
        assert list(zones) == [tzid], name
        zone = ZoneInfo(tzid)
        wrong = {
            at: offset
            for at, offset in zones[tzid].items()
            if offset
            != _state(
                zone, datetime.strptime(at, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            ).total_seconds()  # type: ignore[union-attr]
        }
        assert wrong == {}, f"{name}: libical's offsets (seconds) differ from zoneinfo's at {wrong}"
    assert answer["starts"] == expected_starts(file.ics), name
