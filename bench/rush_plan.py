"""What the rush registers for: the bench schedule, and who registers for which course.

Of every ten registrants, six go to an uncapped course, two to a course capped at 50 seats,
and one each to the two formats of a course whose formats are capped (20 on site, 30
digital). With `-n 2000` that is 400 people for 50 seats and 100 for each small room, so the
seat guards and the waitlist are exercised, and "oversold" means something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rush_client import Shot, build_request

__all__ = [
    "CAPPED",
    "COURSES",
    "OPEN",
    "ROOMS",
    "WARMUP",
    "CoursePlan",
    "FormatPlan",
    "registrations",
    "schedule_toml",
    "target",
]

EMPLOYER = "vaxjo"  # from seeds/employers.toml; its domain is vaxjo.se


@dataclass(frozen=True, slots=True)
class FormatPlan:
    key: str
    kind: str
    place: str | None = None
    seats: int | None = None


@dataclass(frozen=True, slots=True)
class CoursePlan:
    slug: str
    title: str
    formats: tuple[FormatPlan, ...]
    seats: int | None = None


_DIGITAL = FormatPlan("digital", "digital")
WARMUP = CoursePlan("rush-warmup", "Uppvärmning inför mätningen", (_DIGITAL,))
OPEN = CoursePlan("rush-open", "Återfallsprevention, utan platstak", (_DIGITAL,))
CAPPED = CoursePlan("rush-capped", "ASI grundutbildning, 50 platser", (_DIGITAL,), seats=50)
ROOMS = CoursePlan(
    "rush-rooms",
    "LVM föreläsning, platstak per format",
    (
        FormatPlan("ljungby", "on_site", place="Ljungby", seats=20),
        FormatPlan("digital", "digital", seats=30),
    ),
)
COURSES = (WARMUP, OPEN, CAPPED, ROOMS)
"""Every course in the bench schedule; all but WARMUP are measured."""

_ROTATION: tuple[tuple[CoursePlan, str], ...] = (
    *((OPEN, "digital"),) * 6,
    *((CAPPED, "digital"),) * 2,
    (ROOMS, "ljungby"),
    (ROOMS, "digital"),
)


def target(course: CoursePlan, format_key: str) -> str:
    """How outcomes are tagged: `slug/format`."""
    return f"{course.slug}/{format_key}"


def _format_toml(fmt: FormatPlan) -> str:
    lines = ["[[course.format]]", f'key = "{fmt.key}"', f'kind = "{fmt.kind}"']
    if fmt.place is not None:
        lines.append(f'place = "{fmt.place}"')
    if fmt.seats is not None:
        lines.append(f"seats = {fmt.seats}")
    return "\n".join(lines)


def _course_toml(course: CoursePlan, *, deadline: date, session_day: date) -> str:
    lines = [
        "[[course]]",
        f'slug = "{course.slug}"',
        f'title = "{course.title}"',
        'leaders = [{ name = "Bänk Testsson" }]',
        f"deadline = {deadline.isoformat()}",
    ]
    if course.seats is not None:
        lines.append(f"seats = {course.seats}")
    parts = ["\n".join(lines), *(_format_toml(f) for f in course.formats)]
    parts.append(
        f"[[course.session]]\ndate = {session_day.isoformat()}\nstart = 09:00:00\nend = 16:00:00"
    )
    return "\n\n".join(parts)


def schedule_toml(today: date) -> str:
    """The bench schedule: deadlines and sessions next year, so registration is open now."""
    deadline = date(today.year + 1, 6, 30)
    session_day = date(today.year + 1, 9, 15)
    body = "\n\n\n".join(
        _course_toml(c, deadline=deadline, session_day=session_day) for c in COURSES
    )
    return f"# Written by bench/registration_rush.py for one run; not a real schedule.\n\n{body}\n"


def _payload(i: int, email_prefix: str, format_key: str) -> dict[str, object]:
    return {
        "name": f"Person {i}",
        "email": f"{email_prefix}{i}@vaxjo.se",
        "employer": EMPLOYER,
        "workplace": "Beroendemottagningen",
        "works_in_field": True,
        "format": format_key,
    }


def registrations(n: int, port: int, *, warmup: bool = False) -> list[Shot]:
    """`n` registrations by `n` different people, spread over the measured courses.

    With `warmup`, they all go to the WARMUP course instead, by other people.
    """
    shots = []
    rotation: Sequence[tuple[CoursePlan, str]] = ((WARMUP, "digital"),) if warmup else _ROTATION
    prefix = "warmup" if warmup else "person"
    for i in range(n):
        course, format_key = rotation[i % len(rotation)]
        path = f"/api/courses/{course.slug}/registrations"
        request = build_request("POST", path, port, _payload(i, prefix, format_key))
        shots.append(Shot(target(course, format_key), request))
    return shots
