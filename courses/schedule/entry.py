"""One schedule entry (`[[course]]`) given as a document (the JSON form of the course editor
and `POST /api/admin/courses`): every problem at once, placed as the file places them within
an entry (`title`, `session[2].end`, `leaders[1].email`; lists count from 1)."""

from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

import msgspec

from courses.schedule.load import Problem, ScheduleError, course_problems
from courses.schedule.spec import CourseSpec
from courses.validation import all_errors

__all__ = ["ENTRY_SOURCE", "entry_problems", "parse_course"]

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
