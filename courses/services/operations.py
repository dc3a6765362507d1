"""What an operator asks of the service: can it reach its database, how long is the mail queue.

Read from the database, so every instance and every process gives the same answer: the outbox
is shared, and whichever worker sends a mail, its row says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.notices import OutboxStatus
from courses.services.context import ServiceContext
from courses.storage import outbox
from courses.storage.outage import is_outage

__all__ = ["OutboxBacklog", "database_unavailable", "outbox_backlog", "outbox_backlog_if_reachable"]


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    pending: int
    """Waiting to be sent, retries included."""
    sending: int
    """Claimed by a worker right now (a dead worker's rows come back when their lease ends)."""
    failed: int
    """Failed for good; they stay until an admin deals with them."""
    oldest_pending_seconds: float | None
    """Age of the oldest mail not yet delivered; None when nothing waits."""


async def outbox_backlog(ctx: ServiceContext) -> OutboxBacklog:
    """The mail queue now. Raises the database's error when it cannot be reached."""
    async with ctx.db.read() as conn:
        counts = await outbox.counts(conn)
        oldest = await outbox.oldest_unsent(conn)
    age = None if oldest is None else max((ctx.clock.now() - oldest).total_seconds(), 0.0)
    return OutboxBacklog(
        pending=counts[OutboxStatus.PENDING],
        sending=counts[OutboxStatus.SENDING],
        failed=counts[OutboxStatus.FAILED],
        oldest_pending_seconds=age,
    )


async def outbox_backlog_if_reachable(ctx: ServiceContext) -> OutboxBacklog | None:
    """As `outbox_backlog`, but None while the database is unreachable (metrics still answer)."""
    try:
        return await outbox_backlog(ctx)
    except Exception as exc:
        if database_unavailable(exc):
            return None
        raise


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` means the database is unreachable for now, not that something is wrong
    with the request or the code: the caller should say "try again shortly"."""
    return is_outage(exc)
