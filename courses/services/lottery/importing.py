"""What a schedule import may not do to a lottery course that has not been drawn.

Turning it into first come while it has applications would leave them `applied` for good:
nothing draws a first-come course, and registering no longer treats them as applications.
The import is refused (the admin draws first, or cancels the course, which cancels the
applications with it). A `draw` day moved earlier only makes the draw due sooner.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.lottery import Allocation
from courses.domain.rules import CourseStatus
from courses.schedule.load import Problem
from courses.schedule.spec import Schedule
from courses.storage import lottery
from courses.storage.schedule_sync import StoredCourse

__all__ = ["allocation_problems"]


async def allocation_problems(
    conn: AsyncConnection, schedule: Schedule, stored: Mapping[str, StoredCourse]
) -> list[Problem]:
    """A problem at `course[N] (slug).allocation` for each undrawn lottery course with
    applications that the file makes first come (and does not cancel)."""
    leaving: dict[int, tuple[int, str]] = {}
    for index, spec in enumerate(schedule.course, start=1):
        found = stored.get(spec.slug)
        if found is None or spec.allocation == Allocation.LOTTERY.value:
            continue
        if spec.status == CourseStatus.CANCELLED.value:
            continue
        values = found.values
        if values["allocation"] == Allocation.LOTTERY.value and values["drawn_at"] is None:
            leaving[found.id] = (index, spec.slug)
    if not leaving:
        return []
    counts = await lottery.applied_counts(conn, list(leaving))
    return [
        Problem(
            f"course[{index}] ({slug}).allocation",
            f"Kursen har {_applications(counts[course_id])} som inte lottats: lotta först med "
            f"`courses draw {slug}`, eller ställ in kursen.",
        )
        for course_id, (index, slug) in leaving.items()
        if counts.get(course_id)
    ]


def _applications(n: int) -> str:
    return "1 ansökan" if n == 1 else f"{n} ansökningar"
