"""How an import's changes read in its report (Swedish), and what the file wants stored for a
course's formats and sessions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from courses.schedule.spec import CourseSpec
from courses.storage.schedule_sync import Child, ChildChanges

__all__ = [
    "COURSE_FIELDS",
    "EMPLOYER_FIELDS",
    "child_lines",
    "diff_lines",
    "format_children",
    "session_children",
]

COURSE_FIELDS = {
    "title": "titel",
    "description": "beskrivning",
    "leaders": "kursledare",
    "deadline": "sista anmälningsdag",
    "opens": "anmälan öppnar",
    "seats": "platser",
    "waitlist": "reservlista",
    "info_url": "informationslänk",
    "status": "status",
    "approval_days": "chefsgodkännande (dagar att svara)",
    "allocation": "fördelning",
    "draw_on": "lottning",
    "per_employer": "platser per arbetsgivare",
    "share_until": "fördelning per arbetsgivare till och med",
    "offer_hours": "timmar att svara på en erbjuden plats",
    "offer_until_hours": "sista timmarna före kursstart (plats till först att svara)",
}
EMPLOYER_FIELDS = {"name": "namn", "kind": "typ", "domains": "domäner"}
# A format's order (`position`) is stored when it changes but not reported.
_FORMAT_FIELDS = {"kind": "typ", "place": "ort", "seats": "platser", "meeting_url": "möteslänk"}
_SESSION_FIELDS = {"day": "datum", "start_time": "start", "end_time": "slut", "place": "plats"}


def diff_lines(
    old: Mapping[str, Any], new: Mapping[str, Any], names: Mapping[str, str], prefix: str = ""
) -> Iterator[str]:
    for name, label in names.items():
        if old.get(name) != new.get(name):
            yield f"{prefix}{label}: {_show(old.get(name))} → {_show(new.get(name))}"


def _show(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def format_children(spec: CourseSpec) -> list[Child]:
    return [
        Child(
            identity=fmt.key,
            values={
                "kind": fmt.kind,
                "place": fmt.place,
                "seats": fmt.seats,
                "meeting_url": fmt.meeting_url,
                "position": position,
            },
        )
        for position, fmt in enumerate(spec.format, start=1)
    ]


def session_children(spec: CourseSpec) -> list[Child]:
    return [
        Child(
            identity=position,
            values={
                "day": session.date,
                "start_time": session.start,
                "end_time": session.end,
                "place": session.place,
            },
        )
        for position, session in enumerate(spec.session, start=1)
    ]


def child_lines(kind: Literal["format", "session"], changes: ChildChanges) -> list[str]:
    """The report's lines for a course's formats or sessions, in the order the file has them."""
    fields = _FORMAT_FIELDS if kind == "format" else _SESSION_FIELDS
    lines: list[str] = []
    for child, differ in changes.touched:
        if differ is None:
            if kind == "format":
                lines.append(f"nytt format {child.identity}")
            else:
                lines.append(f"ny kursdag {child.identity}: {child.values['day']}")
            continue
        name = f"format {child.identity}" if kind == "format" else f"kursdag {child.identity}"
        old = {column: pair[0] for column, pair in differ.items()}
        new = {column: pair[1] for column, pair in differ.items()}
        lines += diff_lines(old, new, fields, prefix=f"{name} ")
    for row in changes.removed:
        if kind == "format":
            lines.append(f"format {row['key']} borttaget")
        else:
            lines.append(f"kursdag {row['position']} borttagen ({row['day']})")
    return lines
