"""The audit log: every staff action and export, who, when, what, which course.

Written in the transaction of the action it records (an export writes its own), so an entry
exists exactly when the action happened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.paging import Page, Window
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.storage.audit import AuditRecord, count_entries, list_entries, write_entry

__all__ = ["AuditRecord", "audit", "audit_log", "audit_page", "record"]


async def record(
    conn: AsyncConnection,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    summary: str,
    organizer_id: int | None,
    course_slug: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one entry in the caller's transaction."""
    await write_entry(
        conn,
        at=at,
        actor=actor.label,
        organizer_id=organizer_id,
        action=action,
        course_slug=course_slug,
        summary=summary,
        details=details or {},
    )


async def audit(
    ctx: ServiceContext,
    actor: Actor,
    action: str,
    *,
    summary: str,
    organizer_id: int | None,
    course_slug: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one entry in a transaction of its own (exports, which change nothing else)."""
    async with ctx.db.write() as conn:
        await record(
            conn,
            actor,
            action,
            at=ctx.clock.now(),
            summary=summary,
            organizer_id=organizer_id,
            course_slug=course_slug,
            details=details,
        )


async def audit_log(
    ctx: ServiceContext,
    actor: Actor,
    *,
    course_slug: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditRecord]:
    """The entries the actor may read: a super-admin all, an admin their organizers'."""
    async with ctx.db.read() as conn:
        return await list_entries(
            conn,
            organizer_ids=None if actor.superadmin else actor.admin_of,
            course_slug=course_slug,
            action=action,
            before_id=before_id,
            limit=limit,
        )


async def audit_page(
    ctx: ServiceContext, actor: Actor, window: Window, *, course_slug: str | None = None
) -> Page[AuditRecord]:
    """One page of `audit_log`, newest first, with how many entries there are in all."""
    organizer_ids = None if actor.superadmin else actor.admin_of
    async with ctx.db.read() as conn:
        total = await count_entries(conn, organizer_ids=organizer_ids, course_slug=course_slug)
        entries = await list_entries(
            conn,
            organizer_ids=organizer_ids,
            course_slug=course_slug,
            limit=window.limit,
            offset=window.offset,
        )
    return Page(entries, total, window)
