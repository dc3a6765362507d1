"""A clearly labelled demo copy of a schedule, moved into the coming months.

The real schedule lies in the past; a newcomer needs something to register for today. The copy
keeps every rule of the original (formats, caps, leaders, the spacing of dates) and moves all
courses by the same whole number of weeks, so weekdays stay weekdays. Slugs start with `demo-`
and titles say DEMO, so nobody mistakes it for the real schedule.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from courses.schedule.spec import CourseSpec, Schedule

__all__ = ["DEMO_LEAD", "demo_schedule", "is_demo"]

DEMO_LEAD = timedelta(days=14)
"""How far ahead the earliest demo deadline lands: at least this, less than a week more."""

_SLUG_PREFIX = "demo-"
_TITLE_PREFIX = "DEMO – "
_TITLE_MAX = 200  # the schedule's (and the database's) limit for a title
_NOTE = (
    "DEMO: en kopia av {slug} flyttad {weeks} veckor framåt så att den går att prova. "
    "Det är inte en riktig utbildning."
)


def is_demo(slug: str) -> bool:
    """Whether a course is a demo copy: the pages tell it apart from the real schedule."""
    return slug.startswith(_SLUG_PREFIX)


def demo_schedule(schedule: Schedule, *, today: date) -> Schedule:
    """The schedule's courses, moved so the earliest deadline is about two weeks from `today`."""
    if not schedule.course:
        return schedule
    earliest = min(course.deadline for course in schedule.course)
    days = (today + DEMO_LEAD - earliest).days
    weeks = max(0, -(-days // 7))
    shift = timedelta(weeks=weeks)
    # Employers are real, not demo data: they stay as the file gives them.
    return Schedule(
        employer=schedule.employer,
        course=[_shifted(c, shift, weeks) for c in schedule.course],
    )


def _shifted(course: CourseSpec, shift: timedelta, weeks: int) -> CourseSpec:
    def move(day: date | None) -> date | None:
        return None if day is None else day + shift

    note = _NOTE.format(slug=course.slug, weeks=weeks)
    description = f"{note}\n\n{course.description}" if course.description else note
    deadline = course.deadline + shift
    return msgspec.structs.replace(
        course,
        slug=f"{_SLUG_PREFIX}{course.slug}"[:100],
        title=(_TITLE_PREFIX + course.title)[:_TITLE_MAX],
        description=description,
        deadline=deadline,
        opens=move(course.opens),
        share_until=move(course.share_until),
        draw=move(course.draw),
        session=[
            msgspec.structs.replace(session, date=session.date + shift)
            for session in course.session
        ],
    )
