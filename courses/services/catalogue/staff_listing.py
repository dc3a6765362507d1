"""The courses an admin's overview lists (`/admin`): their organizers' courses, drafts too, one
page at a time, narrowed by month and state."""

from __future__ import annotations

from datetime import date

from courses.domain.courses import CourseRecord
from courses.domain.paging import Page, Window
from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationState
from courses.services.catalogue.listing import load_page
from courses.services.context import ServiceContext
from courses.services.permissions import organizer_scope
from courses.storage.catalogue import DRAFT, CourseFilter

__all__ = ["DRAFT", "admin_course_page"]


async def admin_course_page(
    ctx: ServiceContext,
    actor: Actor,
    window: Window,
    *,
    month: tuple[date, date] | None = None,
    state: RegistrationState | str | None = None,
) -> Page[CourseRecord]:
    """One page of the courses of the actor's organizers (every organizer's for a
    super-admin), earliest first; `state` is a RegistrationState or `DRAFT`. Forbidden for
    someone who is not an admin."""
    scope = organizer_scope(actor)
    local = ctx.clock.now().astimezone(ctx.tz)
    chosen = CourseFilter(
        today=local.date(),
        clock=local.time(),
        organizer_ids=scope,
        month=month,
        state=state,
        drafts=True,
    )
    async with ctx.db.read() as conn:
        return await load_page(conn, chosen, window)
