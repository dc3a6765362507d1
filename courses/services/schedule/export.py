"""The organizer's schedule as a schedule file (`GET /api/admin/schedule`, `/admin/schema.toml`).

The file holds everything an import sets: the organizer, every employer (a retired one with
`retired = true`) and every course, drafts and cancelled ones included, with their formats and
sessions. Importing it back changes nothing; an admin may edit it and import it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.employers import EmployerRecord
from courses.domain.permissions import Actor
from courses.schedule.dump import dump_schedule
from courses.schedule.entry import entry_of
from courses.schedule.spec import (
    EmployerSpec,
    Schedule,
)
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.schedule.organizers import organizer_spec
from courses.services.staff.admins import organizer_of
from courses.storage.course_leaders import visible_course_ids
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
        ids = await visible_course_ids(conn, leader_key=None, organizer_ids={organizer.id})
        courses = await load_courses(conn, ids=ids) if ids else []
    return Schedule(
        organizer=organizer_spec(organizer),
        employer=[_employer(e) for e in sorted(employers, key=lambda e: e.key)],
        course=[entry_of(c) for c in courses],
    )


def _employer(employer: EmployerRecord) -> EmployerSpec:
    return EmployerSpec(
        key=employer.key,
        name=employer.name,
        kind=employer.kind,
        domains=list(employer.domains),
        retired=True if employer.retired else None,
    )
