"""After a service round: did any capped course or format give away more seats than it has?

Confirmed seats are counted four ways, which must all agree:
- `api`: `seats - seats_left` from GET /api/courses/{slug} (only where there is a cap; the API
  never shows a negative `seats_left`, so it cannot show an oversell by itself);
- `answers`: 201 answers whose body says `confirmed`;
- `rows`: registration rows with status `confirmed` in the database;
- `counter`: the `confirmed_count` seat counters in the database (kept only where there is a
  cap: an uncapped course or format does not count its registrations).
Expected is `min(cap, accepted)`, with `accepted` the 2xx answers for it (for a course without
its own cap, the sum of its formats' expectations), and every accepted registration must be one
active (confirmed or waitlisted) row.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from rush_client import Outcome, request_json
from rush_plan import CoursePlan, FormatPlan, target
from sqlalchemy import text

from courses.storage.db import make_engine

__all__ = ["SeatCheck", "seat_checks"]

_ROWS = text(
    "SELECT c.slug, f.key, r.status, count(*) FROM registration r "
    "JOIN course c ON c.id = r.course_id JOIN course_format f ON f.id = r.format_id "
    "GROUP BY c.slug, f.key, r.status"
)
_COURSE_COUNTERS = text("SELECT slug, confirmed_count FROM course")
_FORMAT_COUNTERS = text(
    "SELECT c.slug, f.key, f.confirmed_count FROM course_format f "
    "JOIN course c ON c.id = f.course_id"
)
_ACTIVE = ("confirmed", "waitlisted")


def _key(slug: str, format_key: str) -> str:
    """The same tag as `rush_plan.target`, from database values."""
    return f"{slug}/{format_key}"


@dataclass(frozen=True, slots=True)
class SeatCheck:
    what: str
    """A course slug, or `slug/format` for a format's own cap."""
    cap: int | None
    accepted: int
    expected: int
    confirmed: dict[str, int | None]
    active_rows: int

    @property
    def oversold(self) -> bool:
        cap = self.cap
        return cap is not None and any(v is not None and v > cap for v in self.confirmed.values())

    @property
    def exact(self) -> bool:
        counts = (v for v in self.confirmed.values() if v is not None)
        return all(v == self.expected for v in counts) and self.active_rows == self.accepted

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "cap": self.cap,
            "accepted": self.accepted,
            "expected_confirmed": self.expected,
            "confirmed": self.confirmed,
            "active_rows": self.active_rows,
            "oversold": self.oversold,
            "exact": self.exact,
        }


@dataclass(frozen=True, slots=True)
class _Facts:
    accepted: Counter[str]
    confirmed_answers: Counter[str]
    rows: Counter[tuple[str, str]]
    course_counters: dict[str, int]
    format_counters: dict[str, int]
    api: dict[str, Any]


def _answers(outcomes: list[Outcome]) -> tuple[Counter[str], Counter[str]]:
    accepted: Counter[str] = Counter()
    confirmed: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.ok:
            accepted[outcome.target] += 1
            if json.loads(outcome.body).get("status") == "confirmed":
                confirmed[outcome.target] += 1
    return accepted, confirmed


async def _database_facts(
    url: str,
) -> tuple[Counter[tuple[str, str]], dict[str, int], dict[str, int]]:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows: Counter[tuple[str, str]] = Counter()
            for slug, key, status, count in await conn.execute(_ROWS):
                rows[_key(slug, key), status] += count
            courses = {slug: n for slug, n in await conn.execute(_COURSE_COUNTERS)}
            formats = {_key(s, k): n for s, k, n in await conn.execute(_FORMAT_COUNTERS)}
    finally:
        await engine.dispose()
    return rows, courses, formats


def _api_confirmed(seats: int | None, seats_left: int | None) -> int | None:
    return None if seats is None or seats_left is None else seats - seats_left


def _format_check(course: CoursePlan, fmt: FormatPlan, facts: _Facts) -> SeatCheck:
    key = target(course, fmt.key)
    accepted = facts.accepted[key]
    shown = next(f for f in facts.api[course.slug]["formats"] if f["key"] == fmt.key)
    return SeatCheck(
        what=key,
        cap=fmt.seats,
        accepted=accepted,
        expected=accepted if fmt.seats is None else min(fmt.seats, accepted),
        confirmed={
            "api": _api_confirmed(shown["seats"], shown["seats_left"]),
            "answers": facts.confirmed_answers[key],
            "rows": facts.rows[key, "confirmed"],
            "counter": None if fmt.seats is None else facts.format_counters.get(key),
        },
        active_rows=sum(facts.rows[key, status] for status in _ACTIVE),
    )


def _course_check(course: CoursePlan, facts: _Facts) -> SeatCheck:
    formats = [_format_check(course, fmt, facts) for fmt in course.formats]
    expected = sum(f.expected for f in formats)
    shown = facts.api[course.slug]

    def total(source: str) -> int:
        return sum(f.confirmed[source] or 0 for f in formats)

    return SeatCheck(
        what=course.slug,
        cap=course.seats,
        accepted=sum(f.accepted for f in formats),
        expected=expected if course.seats is None else min(course.seats, expected),
        confirmed={
            "api": _api_confirmed(shown["seats"], shown["seats_left"]),
            "answers": total("answers"),
            "rows": total("rows"),
            "counter": None if course.seats is None else facts.course_counters.get(course.slug),
        },
        active_rows=sum(f.active_rows for f in formats),
    )


async def seat_checks(
    port: int, database_url: str, courses: tuple[CoursePlan, ...], outcomes: list[Outcome]
) -> list[SeatCheck]:
    """One check per measured course, and one per format that has its own cap."""
    api = {}
    for course in courses:
        response = await request_json(port, "GET", f"/api/courses/{course.slug}")
        if response.status != 200:
            raise RuntimeError(f"GET /api/courses/{course.slug} answered {response.status}")
        api[course.slug] = response.json()
    accepted, confirmed_answers = _answers(outcomes)
    rows, course_counters, format_counters = await _database_facts(database_url)
    facts = _Facts(accepted, confirmed_answers, rows, course_counters, format_counters, api)
    checks = []
    for course in courses:
        checks.append(_course_check(course, facts))
        checks += [_format_check(course, f, facts) for f in course.formats if f.seats is not None]
    return checks
