"""Whether a course an admin changed is still a valid schedule entry: the schedule file's own
rules (`CourseSpec` and `course_problems`), with their places named as the admin API names
fields (`deadline`, `sessions.3.end`, `formats.digital.seats`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from courses.domain.courses import CourseRecord
from courses.domain.errors import FieldError, InvalidInput, StaleCourse
from courses.schedule.load import Problem, ScheduleError, course_problems
from courses.schedule.spec import CourseSpec, Schedule
from courses.storage.schedule_sync import StoredCourse
from courses.validation import translate

__all__ = ["check_course", "check_revisions", "course_row"]


def course_row(course: CourseRecord) -> dict[str, Any]:
    """The course row's columns that an admin may change (as `diff_lines` compares them)."""
    return {
        "title": course.title,
        "description": course.description,
        "leaders": list(course.leaders),
        "deadline": course.deadline,
        "opens": course.opens,
        "seats": course.seats,
        "waitlist": course.waitlist,
        "info_url": course.info_url,
        "status": course.status.value,
        "per_employer": course.per_employer,
        "share_until": course.share_until,
    }


def check_course(
    course: CourseRecord,
    *,
    values: Mapping[str, Any] | None = None,
    format_seats: Mapping[str, int | None] | None = None,
    sessions: Mapping[int, Mapping[str, Any]] | None = None,
) -> None:
    """The changed course must still be a valid schedule entry (the file's own rules)."""
    row = {**course_row(course), **(values or {})}
    seats = format_seats or {}
    changed = sessions or {}
    spec_sessions = []
    for s in sorted(course.sessions, key=lambda s: s.position):
        now = changed.get(s.position, {})
        spec_sessions.append(
            {
                "date": now.get("day", s.day),
                "start": now.get("start_time", s.start_time),
                "end": now.get("end_time", s.end_time),
                "place": now.get("place", s.place),
            }
        )
    document = {
        "slug": course.slug,
        **row,
        "format": [
            {
                "key": f.key,
                "kind": f.kind.value,
                "place": f.place,
                "seats": seats.get(f.key, f.seats),
                "meeting_url": f.meeting_url,
            }
            for f in course.formats
        ],
        "session": spec_sessions,
    }
    try:
        spec = msgspec.convert(document, CourseSpec)
    except msgspec.ValidationError as exc:
        found = translate(exc)
        raise InvalidInput(
            f"Ändringen går inte att spara: {found.message}",
            [FieldError(_field(found.path, course, first=0), found.message)],
        ) from exc
    problems = list(course_problems("", spec))
    if problems:
        errors = [FieldError(_field(p.place, course, first=1), p.message) for p in problems]
        fields = ", ".join(e.field for e in errors)
        raise InvalidInput(f"Ändringen går inte att spara: {fields}.", errors)


def _field(place: str, course: CourseRecord, *, first: int) -> str:
    """A place in the schedule entry as the admin API names it: a session by its position
    (`sessions.3.end`), a format by its key (`formats.digital`). msgspec counts list items
    from 0 (`first=0`), the file's rules from 1."""
    positions = sorted(s.position for s in course.sessions)
    keys = [f.key for f in course.formats]
    place = place.lstrip(".")
    place = re.sub(r"session\[(\d+)\]", lambda m: f"sessions.{positions[int(m[1]) - first]}", place)
    return re.sub(r"format\[(\d+)\]", lambda m: f"formats.{keys[int(m[1]) - first]}", place)


def check_revisions(
    schedule: Schedule,
    stored: Mapping[str, StoredCourse],
    revisions: Mapping[str, int | None],
    source: str,
) -> None:
    """Refuse a course form saved over someone else's change (StaleCourse), or a new course
    whose slug is taken (ScheduleError at its `slug`). `revisions`: the revision each course
    had when its form was opened, None for a new one; a course not named is not checked."""
    taken: list[Problem] = []
    for index, spec in enumerate(schedule.course, start=1):
        if spec.slug not in revisions:
            continue
        expected, found = revisions[spec.slug], stored.get(spec.slug)
        if expected is None and found is not None:
            taken.append(
                Problem(
                    f"course[{index}] ({spec.slug}).slug",
                    f"Det finns redan en kurs med adressen {spec.slug}; välj en annan.",
                )
            )
        elif expected is not None and (found is None or found.values["revision"] != expected):
            raise StaleCourse
    if taken:
        raise ScheduleError(source, taken)
