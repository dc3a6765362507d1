"""One schedule entry (`[[course]]`) given as a document (the JSON form of the course editor
and `POST /api/admin/courses`): every problem at once, placed as the file places them within
an entry (`title`, `session[2].end`, `leaders[1].email`; lists count from 1)."""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

import msgspec

from courses.domain.courses import CourseRecord
from courses.schedule.load import Problem, ScheduleError, course_problems
from courses.schedule.spec import CourseSpec, FormatSpec, LeaderSpec, SessionSpec
from courses.validation import all_errors

__all__ = ["ENTRY_SOURCE", "entry_of", "entry_problems", "parse_course"]

ENTRY_SOURCE = "<kurs>"


def parse_course(document: object, *, source: str = ENTRY_SOURCE) -> CourseSpec:
    """The entry as a CourseSpec; ScheduleError listing every problem when it is not valid:
    each field's own (types, lengths, patterns) and then the file's rules across fields (an
    end after its start, a deadline before the first session, a draw before it)."""
    problems = _field_problems(document)
    if problems:
        raise ScheduleError(source, problems)
    spec = msgspec.convert(document, CourseSpec)
    rules = entry_problems(spec)
    if rules:
        raise ScheduleError(source, rules)
    return spec


def entry_problems(spec: CourseSpec) -> list[Problem]:
    """The file's rules across an entry's fields (`course_problems`), placed within the entry."""
    return [Problem(p.place.lstrip("."), p.message) for p in course_problems("", spec)]


def _field_problems(document: object) -> list[Problem]:
    nested = _nested_fields()
    problems: list[Problem] = []
    items: dict[str, list[Any]] = {}
    if isinstance(document, dict):
        items = {k: v for k, v in document.items() if k in nested and isinstance(v, list)}
    for found in all_errors(CourseSpec, document):
        head = found.path.split(".", 1)[0].split("[", 1)[0]
        if head not in items:  # a list's items are checked one by one below
            problems.append(Problem(found.path, found.message))
    for name, values in items.items():
        struct, required = nested[name]
        if required and not values:
            problems.append(Problem(name, "Ange minst en."))
        for index, value in enumerate(values, start=1):
            problems += [
                Problem(f"{name}[{index}].{p.path}" if p.path else f"{name}[{index}]", p.message)
                for p in all_errors(struct, value)
            ]
    return problems


def _nested_fields() -> dict[str, tuple[type[msgspec.Struct], bool]]:
    """The entry's lists of tables (format, session, leaders): item type, at least one?"""
    found: dict[str, tuple[type[msgspec.Struct], bool]] = {}
    for info in msgspec.structs.fields(CourseSpec):
        kind, required = info.type, False
        if get_origin(kind) is Annotated:
            kind, *metas = get_args(kind)
            required = any(getattr(m, "min_length", None) for m in metas)
        if get_origin(kind) is list:
            (item,) = get_args(kind)
            if isinstance(item, type) and issubclass(item, msgspec.Struct):
                found[info.encode_name] = (item, required)
    return found


def entry_of(course: CourseRecord) -> CourseSpec:
    """The stored course as its schedule entry (importing it back changes nothing)."""
    lottery = course.allocation == "lottery"
    return CourseSpec(
        slug=course.slug,
        title=course.title,
        description=course.description,
        leaders=[LeaderSpec(name=x["name"], email=x.get("email")) for x in course.leaders],
        deadline=course.deadline,
        opens=course.opens,
        seats=course.seats,
        waitlist=course.waitlist,
        info_url=course.info_url,
        status=course.status.value,
        approval="manager" if course.approval_days is not None else None,
        approval_days=course.approval_days,
        allocation="lottery" if lottery else "first_come",
        draw=course.draw_on if lottery else None,
        per_employer=course.per_employer,
        share_until=course.share_until,
        offer_hours=course.offer_hours,
        offer_until_hours=course.offer_until_hours,
        format=[
            FormatSpec(
                key=f.key,
                kind=f.kind.value,
                place=f.place,
                seats=f.seats,
                meeting_url=f.meeting_url,
            )
            for f in course.formats
        ],
        session=[
            SessionSpec(date=s.day, start=s.start_time, end=s.end_time, place=s.place)
            # The n-th session in the file is the one stored at position n (what an import keys on).
            for s in sorted(course.sessions, key=lambda s: s.position)
        ],
    )
