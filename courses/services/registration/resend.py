"""Someone registers again with an address already registered: the manage link goes to that
address once more (never into the answer), at most once an hour."""

from __future__ import annotations

from datetime import datetime, timedelta

from courses.services.context import ServiceContext
from courses.services.notices import notice, queue
from courses.storage import registrations
from courses.storage.payloads import AlreadyRegistered

__all__ = ["resend_manage_link"]

_RESEND_EVERY = timedelta(hours=1)


async def resend_manage_link(
    ctx: ServiceContext, course_id: int, email_key: str, *, now: datetime
) -> None:
    """Mail the manage link again to the address already registered, at most once an hour.

    The link goes only to the address itself, never into the answer. The conditional UPDATE
    makes "once an hour" hold however many requests arrive at the same moment.
    """
    async with ctx.db.write() as conn:
        found = await registrations.mark_resent(
            conn, course_id=course_id, email_key=email_key, now=now, not_since=now - _RESEND_EVERY
        )
        if found is None:
            return
        await queue(conn, [notice(found, AlreadyRegistered())], now=now)
    ctx.mail_signal.notify()
