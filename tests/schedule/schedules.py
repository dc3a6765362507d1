"""Hypothesis strategies for whole schedule files: employers (some retired) and courses with
caps, formats, sessions with and without times, fair seats, lottery, manager approval,
waitlist offers, drafts and cancelled ones. Every schedule drawn is valid (it passes
`parse_schedule`'s rules)."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import msgspec
from hypothesis import strategies as st

from courses.schedule.spec import Schedule

__all__ = ["schedules"]

# Text as admins write it: Swedish letters, quotes, backslashes, a TOML comment sign.
_LETTERS = "abcåäöÅÄÖ XYZ-'\"\\#=[]é"
names = st.text(_LETTERS, min_size=1, max_size=20).filter(lambda s: s.strip() != "")
descriptions = st.text(_LETTERS + "\n\t", min_size=1, max_size=60)
keys = st.text("abcdefgh0123456789", min_size=1, max_size=6).map(lambda s: f"p-{s}")
domains = st.sampled_from(["example.se", "Vaxjo.SE", "it.kommun.se", "region-x.se"])
urls = st.sampled_from(["https://example.se/kurs", "https://meet.example.se/a?b=c&d=%C3%A5"])
emails = st.sampled_from(["anna@example.se", "Bo.Ek@Vaxjo.se", "c@it.kommun.se"])
_YEAR_START = date(2023, 1, 2)


def _day(offset: int) -> date:
    return _YEAR_START + timedelta(days=offset)


@st.composite
def employers(draw: st.DrawFn, key: str) -> dict[str, Any]:
    employer: dict[str, Any] = {
        "key": key,
        "name": draw(names),
        "kind": draw(st.sampled_from(["municipality", "region"])),
        "domains": draw(st.lists(domains, min_size=1, max_size=2, unique_by=str.lower)),
    }
    if draw(st.booleans()):
        employer["retired"] = True
    return employer


@st.composite
def sessions(draw: st.DrawFn, first: int) -> list[dict[str, Any]]:
    found = []
    for offset in draw(st.lists(st.integers(0, 40), min_size=1, max_size=3)):
        session: dict[str, Any] = {"date": _day(first + offset)}
        if draw(st.booleans()):
            start = draw(st.integers(7 * 60, 15 * 60))
            length = draw(st.integers(15, 6 * 60))
            session["start"] = time(start // 60, start % 60)
            session["end"] = time((start + length) // 60, (start + length) % 60)
        if draw(st.booleans()):
            session["place"] = draw(names)
        found.append(session)
    return found


@st.composite
def formats(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for key in draw(st.lists(keys, min_size=1, max_size=2, unique=True)):
        fmt: dict[str, Any] = {"key": key, "kind": draw(st.sampled_from(["digital", "on_site"]))}
        if fmt["kind"] == "on_site":
            fmt["place"] = draw(names)
        elif draw(st.booleans()):
            fmt["meeting_url"] = draw(urls)
        if draw(st.booleans()):
            fmt["seats"] = draw(st.integers(1, 50))
        found.append(fmt)
    return found


@st.composite
def courses(draw: st.DrawFn, slug: str) -> dict[str, Any]:
    first = draw(st.integers(60, 300))
    course: dict[str, Any] = {
        "slug": slug,
        "title": draw(names),
        "format": draw(formats()),
        "session": draw(sessions(first)),
    }
    first_day = min(s["date"] for s in course["session"])
    deadline = first_day - timedelta(days=draw(st.integers(2, 30)))
    course["deadline"] = deadline
    optional: dict[str, st.SearchStrategy[Any]] = {
        "description": descriptions,
        "leaders": st.lists(
            st.fixed_dictionaries({"name": names}, optional={"email": emails}), max_size=2
        ),
        "opens": st.integers(20, 50).map(lambda n: deadline - timedelta(days=n)),
        "seats": st.integers(1, 300),
        "waitlist": st.booleans(),
        "info_url": urls,
        "status": st.sampled_from(["published", "cancelled", "draft"]),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            course[key] = draw(values)
    if draw(st.booleans()):
        course["approval"] = "manager"
        if draw(st.booleans()):
            course["approval_days"] = draw(st.integers(1, 14))
    if draw(st.booleans()):
        course["per_employer"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            course["share_until"] = deadline - timedelta(days=draw(st.integers(0, 5)))
    if draw(st.booleans()):
        course["offer_hours"] = draw(st.integers(1, 96))
        if draw(st.booleans()):
            course["offer_until_hours"] = draw(st.integers(0, 72))
    if draw(st.booleans()):
        course["allocation"] = "lottery"
        if draw(st.booleans()):
            course["draw"] = deadline + timedelta(days=draw(st.integers(1, 2)))
    elif draw(st.booleans()):
        course["allocation"] = "first_come"
    return course


@st.composite
def schedules(draw: st.DrawFn, prefix: str = "") -> Schedule:
    """A valid schedule without `[organizer]`; keys and slugs start with `prefix`."""
    employer_keys = draw(st.lists(keys, max_size=3, unique=True))
    slugs = draw(st.lists(keys, min_size=1, max_size=3, unique=True))
    document = {
        "employer": [draw(employers(f"{prefix}{key}")) for key in employer_keys],
        "course": [draw(courses(f"{prefix}{slug}")) for slug in slugs],
    }
    return msgspec.convert(document, Schedule)
