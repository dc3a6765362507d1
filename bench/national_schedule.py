"""The national data set's schedule files: one per organizer, as an admin writes one.

Organizer n (`region-nn`) has 13 or 14 employers (290 over 21 organizers; 14 for one county)
and 300 courses, each with three sessions a week apart and two formats (digital, on site);
every tenth course is a fair-seats, lottery or approval course in turn. Course i's first
session is 760 - 3.65 i days from today, so a third of them ended more than a year ago. Every
course has one of 30 leaders; the leader `ledare.stor@region-nn.se` leads every 30th, among
them course 200 (about a month ago), which gets 300 registrants.
"""

from __future__ import annotations

from datetime import date, timedelta

ORGANIZERS = 21
COURSES = 300
EMPLOYERS = 290
REGISTRATIONS = 300_000
BIG_COURSE = 200
BIG_REGISTRANTS = 300
LEADER = "ledare.stor"
_PLACES = ["Växjö", "Ljungby", "Kalmar", "Jönköping", "Halmstad", "Karlstad", "Gävle"]


def organizer_key(n: int) -> str:
    return f"region-{n:02d}"


def leader_email(n: int) -> str:
    """The leader of the organizer's course with 300 registrants (and of every 30th)."""
    return f"{LEADER}@{organizer_key(n)}.se"


def course_slug(n: int, i: int) -> str:
    return f"r{n:02d}-kurs-{i:03d}"


def employer_counts(organizers: int) -> list[int]:
    """290 employers over the organizers (13 or 14 each), or 14 for one county."""
    if organizers == 1:
        return [14]
    base, extra = divmod(EMPLOYERS, organizers)
    return [base + (1 if n < extra else 0) for n in range(organizers)]


def first_day(i: int, today: date) -> date:
    return today - timedelta(days=760) + timedelta(days=round(i * 3.65))


def kind_of(i: int) -> str:
    """Every tenth course is special: fair seats, lottery, approval in turn."""
    if i % 10 != 5:
        return "plain"
    return ("fair", "lottery", "approval")[(i // 10) % 3]


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def schedule_text(n: int, employers: int, today: date) -> str:
    """Organizer `n`'s schedule file: the organizer, its employers, its 300 courses."""
    key = organizer_key(n)
    out = [f'[organizer]\nkey = "{key}"\nname = "Region {n:02d}, FoU-enheten"\n']
    for e in range(employers):
        out.append(
            f'[[employer]]\nkey = "{key}-ag-{e:02d}"\nname = "Kommun {n:02d}-{e:02d}"\n'
            f'kind = "{"region" if e == 0 else "municipality"}"\n'
            f'domains = ["ag{e:02d}.{key}.se"]\n'
        )
    for i in range(COURSES):
        day = first_day(i, today)
        deadline = day - timedelta(days=10)
        kind = kind_of(i)
        leaders = [f'{{ name = "Kursledare {i % 30}", email = "ledare{i % 30}@{key}.se" }}']
        if i % 30 == BIG_COURSE % 30:
            leaders.append(f'{{ name = "Stina Storkurs", email = "{leader_email(n)}" }}')
        lines = [
            "[[course]]",
            f'slug = "{course_slug(n, i)}"',
            f"title = {_q(f'Motiverande samtal i praktiken, del {i % 7 + 1} ({key} {i})')}",
            "description = "
            + _q(
                "För dig som arbetar med missbruk och beroende i kommun eller region. "
                "Kursen varvar föreläsningar med övningar och diskussion i grupp. " * 2
            ),
            f"leaders = [{', '.join(leaders)}]",
            f"deadline = {deadline}",
        ]
        if kind == "fair":
            lines += ["seats = 40", "per_employer = 5"]
        elif kind == "lottery":
            lines += ["seats = 40", 'allocation = "lottery"']
        elif kind == "approval":
            lines += ['approval = "manager"']
        place = _PLACES[(n + i) % len(_PLACES)]
        lines += ["", "[[course.format]]", 'key = "digital"', 'kind = "digital"']
        lines += [f'meeting_url = "https://mote.example.se/{key}/{i}"']
        lines += ["", "[[course.format]]", 'key = "pa-plats"', 'kind = "on_site"']
        lines += [f"place = {_q(place)}"]
        for s in range(3):
            lines += ["", "[[course.session]]", f"date = {day + timedelta(days=7 * s)}"]
            lines += ["start = 09:00:00", "end = 16:00:00"]
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)
