"""A course's schedule entry as a copy: a draft with a new slug and every day moved alike.

The entry goes through the schedule file's own checks (`CourseSpec`, `course_problems`), as a
file's would; a copy of a valid course stays valid, since every day moves the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import msgspec

from courses.domain.calendar_shift import shift_day
from courses.domain.courses import CourseRecord
from courses.domain.errors import FieldError, InvalidInput
from courses.domain.rules import CourseStatus
from courses.schedule.load import course_problems
from courses.schedule.spec import CourseSpec

__all__ = ["copied_spec", "invalid_copy"]


def copied_spec(course: CourseRecord, *, slug: str, days: int) -> CourseSpec:
    """The course's schedule entry as a draft with every day moved `days` days."""

    def moved(day: date | None) -> date | None:
        return None if day is None else shift_day(day, days)

    try:
        spec = msgspec.convert(_document(course, slug=slug, moved=moved), CourseSpec)
    except msgspec.ValidationError as exc:
        raise invalid_copy(course.slug, str(exc)) from exc
    problems = list(course_problems(f"{slug}", spec))
    if problems:
        raise invalid_copy(course.slug, " ".join(str(p) for p in problems))
    return spec


def _document(
    course: CourseRecord, *, slug: str, moved: Callable[[date | None], date | None]
) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": course.title,
        "description": course.description,
        "leaders": list(course.leaders),
        "deadline": moved(course.deadline),
        "opens": moved(course.opens),
        "seats": course.seats,
        "waitlist": course.waitlist,
        "info_url": course.info_url,
        "status": CourseStatus.DRAFT.value,
        "approval": "manager" if course.needs_approval else None,
        "approval_days": course.approval_days,
        "allocation": course.allocation,
        "draw": moved(course.draw_on),
        "per_employer": course.per_employer,
        "share_until": moved(course.share_until),
        "offer_hours": course.offer_hours,
        "offer_until_hours": course.offer_until_hours,
        "format": [
            {
                "key": f.key,
                "kind": f.kind.value,
                "place": f.place,
                "seats": f.seats,
                "meeting_url": f.meeting_url,
            }
            for f in course.formats
        ],
        "session": [
            {"date": moved(s.day), "start": s.start_time, "end": s.end_time, "place": s.place}
            for s in sorted(course.sessions, key=lambda s: s.position)
        ],
    }


def invalid_copy(slug: str, reason: str) -> InvalidInput:
    message = f"Kursen {slug!r} kan inte kopieras: {reason}"
    return InvalidInput(message, [FieldError("courses", message)])
