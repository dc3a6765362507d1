"""The organizer's schedule as a schedule file (`GET /api/admin/schedule`, `/admin/schema.toml`).

The file holds everything an import sets: the organizer, every employer (a retired one with
`retired = true`) and every course, drafts and cancelled ones included, with their formats and
sessions. Importing it back changes nothing; an admin may edit it and import it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.courses import CourseRecord
from courses.domain.employers import EmployerRecord
from courses.domain.lottery import Allocation
from courses.domain.permissions import Actor
from courses.schedule.dump import dump_schedule
from courses.schedule.spec import (
    CourseSpec,
    EmployerSpec,
    FormatSpec,
    LeaderSpec,
    OrganizerSpec,
    Schedule,
    SessionSpec,
)
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.staff.admins import organizer_of
from courses.storage.courses import load_courses
from courses.storage.employers import all_employers

__all__ = ["ScheduleFile", "export_schedule", "stored_schedule"]


@dataclass(frozen=True, slots=True)
class ScheduleFile:
    filename: str
    text: str


async def export_schedule(
    ctx: ServiceContext, actor: Actor, *, organizer_key: str | None = None
) -> ScheduleFile:
    """The schedule file of `organizer_key` (default: the actor's only organizer).

    Raises Forbidden (not an admin) and InvalidInput (no such organizer of the actor's, or
    several and none named).
    """
    require_admin(actor)
    schedule = await stored_schedule(ctx, actor, organizer_key=organizer_key)
    assert schedule.organizer is not None
    key = schedule.organizer.key
    heading = (
        f"Schemafil för {schedule.organizer.name}.\n"
        "Ändra den i en textredigerare och importera den igen på /admin;\n"
        "det som inte ändrats förblir som det är."
    )
    return ScheduleFile(f"schema-{key}.toml", dump_schedule(schedule, heading=heading))


async def stored_schedule(
    ctx: ServiceContext, actor: Actor, *, organizer_key: str | None = None
) -> Schedule:
    """The organizer's schedule as stored, as the Structs a schedule file parses to."""
    require_admin(actor)
    async with ctx.db.read() as conn:
        organizer = await organizer_of(conn, actor, organizer_key)
        employers = await all_employers(conn, organizer_id=organizer.id)
        courses = [c for c in await load_courses(conn) if c.organizer_id == organizer.id]
    return Schedule(
        organizer=OrganizerSpec(
            key=organizer.key, name=organizer.name, mail_from=organizer.mail_from
        ),
        employer=[_employer(e) for e in sorted(employers, key=lambda e: e.key)],
        course=[_course(c) for c in courses],
    )


def _employer(employer: EmployerRecord) -> EmployerSpec:
    return EmployerSpec(
        key=employer.key,
        name=employer.name,
        kind=employer.kind,
        domains=list(employer.domains),
        retired=True if employer.retired else None,
    )


def _course(course: CourseRecord) -> CourseSpec:
    lottery = course.allocation == Allocation.LOTTERY.value
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
        allocation=course.allocation,  # type: ignore[arg-type]
        draw=course.draw_on if lottery else None,
        per_employer=course.per_employer,
        share_until=course.share_until,
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
            # The file's n-th session is the one stored at position n (what an import keys on).
            for s in sorted(course.sessions, key=lambda s: s.position)
        ],
    )
