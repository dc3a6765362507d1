"""A realistic, generated schedule file for the import benchmark, and a copy with some courses
changed.

Deterministic (a seeded `random.Random`): the same arguments give the same file, so two runs
(or two checkouts in an A/B run) import the same thing. Courses run through one year: 1 to 3
formats (digital, on site, both or two places), 1 to 4 sessions (with times or all-day), 1 to
3 leaders, some caps on the course and on a format, some opening dates, meeting links,
session places, courses without a waitlist and a few cancelled ones; plus the employers whose
staff register.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

__all__ = ["CLOCK_DAY", "GeneratedCourse", "change", "employer_domain", "generate", "render"]

YEAR = 2027
CLOCK_DAY = date(YEAR, 1, 10)
"""A day on which every generated course is open for registration (opening dates are before,
deadlines after)."""

_PLACES = ["Växjö", "Ljungby", "Alvesta", "Älmhult", "Tingsryd", "Markaryd", "Uppvidinge"]
_TOPICS = [
    "ASI grundutbildning",
    "ASI metodstöd med samskattning",
    "Återfallsprevention",
    "HAP – haschavvänjningsprogram",
    "Motiverande samtal",
    "CRA för personal",
    "KBT vid beroende",
    "LVM föreläsning",
    "Spelberoende",
    "Läkemedelsassisterad behandling",
    "Samsjuklighet",
    "Nätverksmöte för behandlare",
]
_FIRST = ["Anna", "Sophie", "Jonas", "Maria", "Erik", "Karin", "Ali", "Lena", "Mikael", "Sara"]
_LAST = ["Hamle", "Andersson", "Reinholdsson", "Nilsson", "Johansson", "Berg", "Lind", "Ek"]


@dataclass(slots=True)
class GeneratedCourse:
    slug: str
    title: str
    description: str
    leaders: list[tuple[str, str | None]]
    deadline: date
    opens: date | None
    seats: int | None
    waitlist: bool
    info_url: str | None
    status: str
    formats: list[dict[str, object]]
    sessions: list[tuple[date, time | None, time | None, str | None]]


def employer_domain(index: int) -> str:
    return f"arbetsgivare{index:02d}.se"


def _course(i: int, rng: random.Random) -> GeneratedCourse:
    first = date(YEAR, 2, 1) + timedelta(days=rng.randrange(300))
    days = sorted(rng.sample(range(0, 120), rng.randint(1, 4)))
    timed = rng.random() < 0.7
    sessions = []
    for offset in days:
        start = time(rng.choice([8, 9, 10, 13])) if timed else None
        end = (
            time(start.hour + rng.choice([2, 3, 4]), 30 if rng.random() < 0.3 else 0)
            if start
            else None
        )
        place = f"Sal {rng.randint(1, 12)}, {rng.choice(_PLACES)}" if rng.random() < 0.1 else None
        sessions.append((first + timedelta(days=offset), start, end, place))
    formats: list[dict[str, object]] = []
    for place in rng.sample(_PLACES, rng.choice([0, 1, 1, 2])):
        fmt: dict[str, object] = {"key": place.lower().replace("ä", "a").replace("ö", "o")}
        fmt |= {"kind": "on_site", "place": place}
        if rng.random() < 0.3:
            fmt["seats"] = rng.randint(6, 30)
        formats.append(fmt)
    if not formats or rng.random() < 0.5:
        digital: dict[str, object] = {"key": "digital", "kind": "digital"}
        if rng.random() < 0.5:
            digital["meeting_url"] = f"https://mote.example.se/rum-{i}"
        formats.append(digital)
    topic = rng.choice(_TOPICS)
    leaders = [
        (f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", None) for _ in range(rng.choice([1, 1, 2, 3]))
    ]
    leaders = [
        (name, f"{name.lower().replace(' ', '.')}@kronoberg.se" if rng.random() < 0.5 else None)
        for name, _ in leaders
    ]
    return GeneratedCourse(
        slug=f"kurs-{i:04d}-{YEAR}",
        title=f"{topic} ({i})",
        description=(
            f"{topic} för dig som arbetar med missbruk och beroende i kommun eller region. "
            "Kursen varvar föreläsningar med övningar och diskussion i grupp. " * rng.randint(1, 4)
        ).strip(),
        leaders=leaders,
        deadline=first - timedelta(days=rng.randint(7, 20)),
        opens=date(YEAR, 1, 1) if rng.random() < 0.3 else None,
        seats=rng.choice([4, 8, 12, 20, 30]) if rng.random() < 0.4 else None,
        waitlist=rng.random() < 0.9,
        info_url=f"https://kronoberg.se/utbildning/{i}" if rng.random() < 0.2 else None,
        status="cancelled" if rng.random() < 0.02 else "published",
        formats=formats,
        sessions=sessions,
    )


def generate(courses: int, *, seed: int = 2027) -> list[GeneratedCourse]:
    rng = random.Random(seed)
    return [_course(i, rng) for i in range(1, courses + 1)]


def change(courses: list[GeneratedCourse], *, share: float = 0.1) -> list[int]:
    """Change every 1/share-th course in place (a new title, or session 1 an hour later or
    given times); the indexes changed."""
    step = round(1 / share)
    picked = list(range(0, len(courses), step))
    for n, index in enumerate(picked):
        course = courses[index]
        if n % 2 == 0:
            course.title = f"{course.title} – ny upplaga"
            continue
        day, start, end, place = course.sessions[0]
        if start is None or end is None or end.hour >= 22:
            start, end = time(10), time(15)
        else:
            start, end = time(start.hour + 1, start.minute), time(end.hour + 1, end.minute)
        course.sessions[0] = (day, start, end, place)
    return picked


def _text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _employers(count: int) -> list[str]:
    blocks = []
    for i in range(1, count + 1):
        kind = "region" if i == count else "municipality"
        name = "Region Exempel" if kind == "region" else f"Exempelkommun {i}"
        blocks.append(
            f'[[employer]]\nkey = "arbetsgivare-{i:02d}"\nname = {_text(name)}\n'
            f'kind = "{kind}"\ndomains = ["{employer_domain(i)}"]\n'
        )
    return blocks


def _course_toml(c: GeneratedCourse) -> str:
    leaders = ", ".join(
        "{ name = " + _text(name) + (f", email = {_text(email)}" if email else "") + " }"
        for name, email in c.leaders
    )
    lines = [
        "[[course]]",
        f'slug = "{c.slug}"',
        f"title = {_text(c.title)}",
        f"description = {_text(c.description)}",
        f"leaders = [{leaders}]",
        f"deadline = {c.deadline}",
    ]
    lines += [f"opens = {c.opens}"] if c.opens else []
    lines += [f"seats = {c.seats}"] if c.seats else []
    lines += [] if c.waitlist else ["waitlist = false"]
    lines += [f"info_url = {_text(c.info_url)}"] if c.info_url else []
    lines += ['status = "cancelled"'] if c.status == "cancelled" else []
    for fmt in c.formats:
        lines += ["", "[[course.format]]"]
        lines += [f"{k} = {_text(v) if isinstance(v, str) else v}" for k, v in fmt.items()]
    for day, start, end, place in c.sessions:
        lines += ["", "[[course.session]]", f"date = {day}"]
        lines += (
            [f"start = {start.isoformat()}", f"end = {end.isoformat()}"] if start and end else []
        )
        lines += [f"place = {_text(place)}"] if place else []
    return "\n".join(lines) + "\n"


def render(courses: list[GeneratedCourse], *, employers: int) -> str:
    """The schedule file: employers first, then courses, as an admin writes one."""
    header = (
        f"# Generated by bench/schedule_gen.py: {employers} employers, {len(courses)} courses.\n"
    )
    return "\n\n".join([header, *_employers(employers), *map(_course_toml, courses)])
