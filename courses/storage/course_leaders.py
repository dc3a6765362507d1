"""Who leads which course, by normalised address: the `course_leader` rows, kept in step with
each course's `leaders` and read where a leader's courses are wanted (sign-in, `/kursledare`),
so those reads cost the same whatever the number of courses in the deployment.

`set_course_leaders` is called by the two functions that write a course's `leaders`
(`courses.storage.schedule_sync.create_courses` and `courses.storage.courses.bump_revisions`),
so every path that sets leaders (import, the course editor, the API, roll-forward) keeps the
rows in step without knowing of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import delete, exists, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import Leader
from courses.domain.permissions import leader_keys
from courses.storage.tables import course_leader_table, course_table

__all__ = ["leads_any", "reconcile_course_leaders", "set_course_leaders", "visible_course_ids"]

_LEADER = course_leader_table.c
_COURSE = course_table.c
# Course ids per IN list: well under the bound-parameter limits of SQLite and asyncpg.
_CHUNK = 500


async def set_course_leaders(
    conn: AsyncConnection, leaders_by_course: Mapping[int, Iterable[Leader]], *, new: bool = False
) -> None:
    """Make the courses' leader rows those of their `leaders` ({course id: leaders}); `new`:
    the courses were just inserted, so there are no rows to replace. The caller writes the
    same leaders to the course rows in the same transaction."""
    ids = [] if new else list(leaders_by_course)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        await conn.execute(delete(course_leader_table).where(_LEADER.course_id.in_(chunk)))
    rows = [
        {"course_id": course_id, "leader_key": key}
        for course_id, leaders in leaders_by_course.items()
        for key in sorted(leader_keys(leaders))
    ]
    if rows:
        await conn.execute(course_leader_table.insert(), rows)


async def leads_any(conn: AsyncConnection, leader_key: str) -> bool:
    """Whether the normalised address leads some course (one index look-up)."""
    found = await conn.execute(select(exists().where(_LEADER.leader_key == leader_key)))
    return bool(found.scalar())


async def visible_course_ids(
    conn: AsyncConnection, *, leader_key: str | None, organizer_ids: Collection[int]
) -> set[int]:
    """The ids of the courses led by `leader_key` or arranged by one of `organizer_ids`: two
    index look-ups (the leader's key, the course's organizer), never a read of every course.
    A super-admin, who sees every course, needs no ids."""
    parts = []
    if leader_key is not None:
        parts.append(select(_LEADER.course_id).where(_LEADER.leader_key == leader_key))
    if organizer_ids:
        parts.append(select(_COURSE.id).where(_COURSE.organizer_id.in_(sorted(organizer_ids))))
    if not parts:
        return set()
    found = await conn.execute(parts[0] if len(parts) == 1 else union(*parts))
    return {int(course_id) for course_id in found.scalars()}


async def reconcile_course_leaders(conn: AsyncConnection) -> int:
    """Make every course's leader rows match its `leaders` again; how many courses had wrong
    rows. For what wrote `leaders` without the rows: an instance of the release before them,
    still running during an upgrade (or after a rollback). It reads every course, so it runs
    when a worker starts, never for a request.

    The courses found wrong are read again under their row lock (as an import or an edit
    takes it), so a change committed meanwhile is not overwritten with what was read first.
    """
    stored: dict[int, set[str]] = defaultdict(set)
    for course_id, key in await conn.execute(select(_LEADER.course_id, _LEADER.leader_key)):
        stored[int(course_id)].add(str(key))
    found = await conn.execute(select(_COURSE.id, _COURSE.leaders))
    wrong = [int(i) for i, leaders in found.all() if leader_keys(leaders) != stored.get(i, set())]
    if not wrong:
        return 0
    fixed: dict[int, list[Leader]] = {}
    for start in range(0, len(wrong), _CHUNK):
        locked = await conn.execute(
            select(_COURSE.id, _COURSE.leaders)
            .where(_COURSE.id.in_(wrong[start : start + _CHUNK]))
            .order_by(_COURSE.id)
            .with_for_update(key_share=True)  # FOR NO KEY UPDATE; nothing on SQLite
        )
        fixed.update({int(i): list(leaders) for i, leaders in locked.all()})
    await set_course_leaders(conn, fixed)
    return len(fixed)
