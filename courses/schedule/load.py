"""Read and validate a schedule file, collecting every error with its place in the file.

msgspec stops at the first error in a value, so each employer and course is converted on its
own; then the rules that span fields (an end after its start, unique keys) are checked. Nothing
is returned unless the whole file is valid.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from courses.domain.offers import DEFAULT_OFFER_UNTIL_HOURS
from courses.links import TAKEN_PATHS
from courses.schedule.lottery import draw_problems
from courses.schedule.oidc import oidc_problems
from courses.schedule.spec import CourseSpec, EmployerSpec, OrganizerSpec, Schedule
from courses.validation import translate

__all__ = [
    "OFFER_UNTIL_WITHOUT_OFFER",
    "Problem",
    "ScheduleError",
    "course_problems",
    "load_schedule",
    "parse_schedule",
    "taken_key_message",
]

T = TypeVar("T", bound=msgspec.Struct)

OFFER_UNTIL_WITHOUT_OFFER = "offer_until_hours gäller bara en kurs med offer_hours över 0."
"""A last window set on a course that promotes at once: it would change nothing."""


@dataclass(frozen=True, slots=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class ScheduleError(Exception):
    """The file cannot be imported; `problems` lists every reason with its place."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} fel, inget importerades:\n{lines}")


def load_schedule(path: Path) -> Schedule:
    """Read and validate a schedule file; raise `ScheduleError` listing every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(
            str(path), [Problem("", f"Kan inte läsa filen: {exc.strerror}")]
        ) from exc
    return parse_schedule(raw, source=str(path))


MAX_NESTING = 16
"""How many levels of arrays and tables a schedule file may nest; its own need about five."""
_TOO_DEEP = (
    f"Filen har listor eller tabeller i fler än {MAX_NESTING} nivåer; "
    "en schemafil behöver bara några få."
)


def parse_schedule(raw: bytes | str, *, source: str = "<schedule>") -> Schedule:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(source, [Problem("", f"Ogiltig TOML: {exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise ScheduleError(source, [Problem("", "Filen är inte UTF-8.")]) from exc
    except RecursionError as exc:  # tomllib recurses once per level: deep enough, it gives up
        raise ScheduleError(source, [Problem("", _TOO_DEEP)]) from exc
    if _depth(document) > MAX_NESTING:  # parsed, but too deep for what reads it next
        raise ScheduleError(source, [Problem("", _TOO_DEEP)])

    problems: list[Problem] = []
    for key in document:
        if key not in ("organizer", "employer", "course"):
            problems.append(
                Problem(
                    key,
                    "Okänd tabell; en schemafil har [organizer], [[employer]] och [[course]].",
                )
            )
    organizer = _convert_organizer(document, problems)
    employers = list(_convert_all(document, "employer", EmployerSpec, problems))
    courses = list(_convert_all(document, "course", CourseSpec, problems))

    problems.extend(_duplicates("employer", [(i, e.key) for i, e in employers], "key"))
    problems.extend(_duplicates("course", [(i, c.slug) for i, c in courses], "slug"))
    for index, course in courses:
        problems.extend(course_problems(f"course[{index}] ({course.slug})", course))
    if problems:
        raise ScheduleError(source, problems)
    return Schedule(
        organizer=organizer,
        employer=[e for _, e in employers],
        course=[c for _, c in courses],
    )


def _depth(document: dict[str, Any]) -> int:
    """How deep arrays and tables nest in `document` (itself 1), counted without recursion."""
    deepest = 0
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        value, level = pending.pop()
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            break
        if isinstance(value, dict):
            pending.extend((v, level + 1) for v in value.values())
        elif isinstance(value, list):
            pending.extend((v, level + 1) for v in value)
    return deepest


def _convert_organizer(
    document: Mapping[str, Any], problems: list[Problem]
) -> OrganizerSpec | None:
    item = document.get("organizer")
    if item is None:
        return None
    if not isinstance(item, dict):
        problems.append(Problem("organizer", "Skriv [organizer] en gång, som en tabell."))
        return None
    try:
        spec = msgspec.convert(item, OrganizerSpec)
    except msgspec.ValidationError as exc:
        found = translate(exc)
        path = _from_one(found.path)
        place = f"organizer.{path}" if path else "organizer"
        problems.append(Problem(place, found.message))
        return None
    if spec.key in TAKEN_PATHS:
        problems.append(Problem("organizer.key", taken_key_message(spec.key)))
        return None
    found_oidc = [Problem(f"organizer.{place}", text) for place, text in oidc_problems(spec)]
    if found_oidc:
        problems.extend(found_oidc)
        return None
    return spec


def taken_key_message(key: str) -> str:
    """Why an organizer cannot have `key`: its catalogue would be `/{key}/`, a page the
    service already has."""
    return (
        f"Nyckeln {key!r} kan inte användas: arrangörens kurser visas på /{key}/, och den "
        "adressen används redan av tjänsten. Välj en annan nyckel."
    )


def _convert_all(
    document: Mapping[str, Any], table: str, spec: type[T], problems: list[Problem]
) -> Iterator[tuple[int, T]]:
    items = document.get(table, [])
    if not isinstance(items, list):
        problems.append(Problem(table, f"Skriv [[{table}]] för varje post."))
        return
    for index, item in enumerate(items, start=1):
        try:
            yield index, msgspec.convert(item, spec)
        except msgspec.ValidationError as exc:
            found = translate(exc)
            path = _from_one(found.path)
            name = _label(item)
            place = f"{table}[{index}]{name}"
            problems.append(Problem(f"{place}.{path}" if path else place, found.message))


def _from_one(path: str) -> str:
    """msgspec counts list items from 0; every place we print counts from 1."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{int(m[1]) + 1}]", path)


def _label(item: object) -> str:
    if isinstance(item, dict):
        for key in ("slug", "key"):
            if isinstance(item.get(key), str):
                return f" ({item[key]})"
    return ""


def _duplicates(table: str, keyed: Iterable[tuple[int, str]], field: str) -> Iterator[Problem]:
    keyed = list(keyed)
    counts = Counter(key for _, key in keyed)
    for index, key in keyed:
        if counts[key] > 1:
            yield Problem(
                f"{table}[{index}] ({key}).{field}", f"{key!r} förekommer mer än en gång i filen."
            )


_EARLIEST, _LATEST = date(2000, 1, 1), date(2199, 12, 31)


def _far_dates(place: str, course: CourseSpec) -> list[Problem]:
    """Every date within two centuries: a typo such as year 20226 is caught, and the day
    after a deadline (the default draw day) always exists."""
    days = {name: getattr(course, name) for name in ("deadline", "opens", "draw", "share_until")}
    days |= {f"session[{i}].date": s.date for i, s in enumerate(course.session, start=1)}
    return [
        Problem(f"{place}.{where}", f"Datumet {day} är inte rimligt för en kurs; kontrollera året.")
        for where, day in days.items()
        if day is not None and not _EARLIEST <= day <= _LATEST
    ]


def course_problems(place: str, course: CourseSpec) -> Iterator[Problem]:
    far = _far_dates(place, course)
    if far:  # the rules below compare and count days from these
        yield from far
        return
    keys = Counter(f.key for f in course.format)
    for index, fmt in enumerate(course.format, start=1):
        here = f"{place}.format[{index}]"
        if keys[fmt.key] > 1:
            yield Problem(f"{here}.key", f"Formatet {fmt.key!r} finns mer än en gång i kursen.")
        if fmt.kind == "on_site" and fmt.place is None:
            yield Problem(f"{here}.place", "Ett format på plats måste ange orten (place).")
        if fmt.kind == "on_site" and fmt.meeting_url is not None:
            yield Problem(f"{here}.meeting_url", "Möteslänk hör bara till digitala format.")
        if fmt.kind == "digital" and fmt.place is not None:
            yield Problem(f"{here}.place", "Ett digitalt format har ingen ort.")
    for index, session in enumerate(course.session, start=1):
        here = f"{place}.session[{index}]"
        if (session.start is None) != (session.end is None):
            yield Problem(here, "Ange både start och end, eller ingen av dem (heldag).")
        elif session.start is not None and session.end is not None and session.end <= session.start:
            yield Problem(f"{here}.end", "Sluttiden måste vara efter starttiden.")
    first_day = min(s.date for s in course.session)
    if course.deadline > first_day:
        yield Problem(
            f"{place}.deadline",
            f"Sista anmälningsdag {course.deadline} ligger efter första kursdagen {first_day}.",
        )
    if course.opens is not None and course.opens > course.deadline:
        yield Problem(f"{place}.opens", "Anmälan kan inte öppna efter sista anmälningsdag.")
    if course.approval_days is not None and course.approval is None:
        yield Problem(
            f"{place}.approval_days",
            'approval_days gäller bara en kurs med approval = "manager".',
        )
    # The default is left out of an exported file, so only another value was written here.
    if course.offer_hours == 0 and course.offer_until_hours != DEFAULT_OFFER_UNTIL_HOURS:
        yield Problem(f"{place}.offer_until_hours", OFFER_UNTIL_WITHOUT_OFFER)
    for message in draw_problems(course, first_day):
        yield Problem(f"{place}.draw", message)
    if course.share_until is not None and course.share_until > course.deadline:
        yield Problem(
            f"{place}.share_until",
            "Fördelningen per arbetsgivare (share_until) kan inte pågå efter sista anmälningsdag.",
        )
    if course.share_until is not None and course.per_employer is None:
        yield Problem(
            f"{place}.share_until",
            "Ange per_employer: share_until gäller bara fördelning per arbetsgivare.",
        )
