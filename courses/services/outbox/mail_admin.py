"""An admin sees the mails still waiting and those that failed, and sends a failed one again."""

from __future__ import annotations

from courses.domain.errors import ItemNotFound, StaffConflict
from courses.domain.notices import OutboxStatus
from courses.domain.paging import Page, Window
from courses.domain.permissions import Actor
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.permissions import organizer_scope
from courses.storage.mail_admin import MailRow, count_mails, list_mails, mail_by_id, retry_failed

__all__ = ["MailRow", "list_unsent_mail", "retry_mail", "unsent_mail_page"]

_UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED)


async def list_unsent_mail(
    ctx: ServiceContext,
    actor: Actor,
    *,
    status: OutboxStatus | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[MailRow]:
    """Pending (and being sent) and failed mails of the actor's organizers, newest first;
    `status` narrows to one. A super-admin also sees sign-in mails, which have no organizer.
    Raises Forbidden for a non-admin."""
    scope = organizer_scope(actor)
    statuses = _UNSENT if status is None else (status,)
    async with ctx.db.read() as conn:
        return await list_mails(
            conn, organizer_ids=scope, statuses=statuses, before_id=before_id, limit=limit
        )


async def unsent_mail_page(ctx: ServiceContext, actor: Actor, window: Window) -> Page[MailRow]:
    """One page of `list_unsent_mail` (every unsent status), with how many there are in all."""
    scope = organizer_scope(actor)
    async with ctx.db.read() as conn:
        total = await count_mails(conn, organizer_ids=scope, statuses=_UNSENT)
        found = await list_mails(
            conn, organizer_ids=scope, statuses=_UNSENT, limit=window.limit, offset=window.offset
        )
    return Page(found, total, window)


async def retry_mail(ctx: ServiceContext, actor: Actor, mail_id: int) -> MailRow:
    """Send a failed mail again: back to pending and due now (the worker is woken). A mail
    failed for good after days of trying gets one more attempt.

    Raises Forbidden, ItemNotFound (unknown or another organizer's) and StaffConflict (it has
    not failed).
    """
    scope = organizer_scope(actor)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = await mail_by_id(conn, mail_id, organizer_ids=scope)
        if found is None:
            raise ItemNotFound(f"Det finns inget brev med id {mail_id}.")
        if not await retry_failed(conn, mail_id, now=now):
            raise StaffConflict(
                f"Brevet {mail_id} har inte misslyckats (det är {_STATUS[found.status]}), "
                "så det finns inget att skicka om."
            )
        await record(
            conn,
            actor,
            "mail.retry",
            at=now,
            organizer_id=found.organizer_id,
            course_slug=found.course_slug,
            summary=f"Skickar om brevet {mail_id} ({found.kind}) till {found.recipient}.",
            details={"mail_id": mail_id, "last_error": found.last_error},
        )
        after = await mail_by_id(conn, mail_id, organizer_ids=scope)
        assert after is not None
    ctx.mail_signal.notify()
    return after


_STATUS = {
    OutboxStatus.PENDING: "väntande",
    OutboxStatus.SENDING: "på väg att skickas",
    OutboxStatus.SENT: "skickat",
    OutboxStatus.FAILED: "misslyckat",
}
