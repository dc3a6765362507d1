"""The permission checks of admins' work, in one place for every admin service.

An actor who is no admin at all (a leader) is refused with Forbidden; a course, registration
or mail of an organizer the admin does not administer is answered like a missing one, so an
admin of one organizer learns nothing about another's.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.errors import CourseNotFound, Forbidden
from courses.domain.permissions import Actor
from courses.storage.courses import load_course, lock_course
from courses.storage.schedule_sync import stored_course

__all__ = ["course_missing", "locked_course_for_admin", "organizer_scope", "require_admin"]


def require_admin(actor: Actor) -> None:
    """Forbidden unless the actor administers some organizer (or all)."""
    if not actor.is_admin:
        raise Forbidden("Det här får bara en administratör göra.")


def organizer_scope(actor: Actor) -> frozenset[int] | None:
    """The organizers whose data the admin sees; None for a super-admin (all of them)."""
    require_admin(actor)
    return None if actor.superadmin else actor.admin_of


def course_missing(slug: str) -> CourseNotFound:
    """The same refusal as the public API's for a course that does not exist."""
    return CourseNotFound(f"Det finns ingen kurs som heter {slug!r}.")


async def locked_course_for_admin(conn: AsyncConnection, actor: Actor, slug: str) -> CourseRecord:
    """The course, read after taking its row lock, if the actor administers its organizer.

    Writers of the course (registrations, cancellations, imports) queue behind the lock until
    the caller's transaction ends, so what is read here stays true until then.
    """
    require_admin(actor)
    stored = await stored_course(conn, slug)
    if stored is None or not actor.administers(int(stored["organizer_id"])):
        raise course_missing(slug)
    await lock_course(conn, int(stored["id"]))
    course = await load_course(conn, slug)
    assert course is not None
    return course
