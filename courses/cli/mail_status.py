"""`courses mail-status`: how much mail waits and which failed, loading nothing that sends it."""

from __future__ import annotations

from courses.cli.database import open_database
from courses.clock import SystemClock
from courses.domain.notices import OutboxStatus
from courses.services.context import ServiceContext
from courses.services.outbox.delivery import mail_counts, recent_failures
from courses.settings import Settings

__all__ = ["mail_status"]


async def mail_status(settings: Settings) -> int:
    db = await open_database(settings)
    try:
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        counts = await mail_counts(ctx)
        failures = await recent_failures(ctx, limit=20)
    finally:
        await db.dispose()
    print(
        f"Väntar: {counts[OutboxStatus.PENDING]}, skickas nu: {counts[OutboxStatus.SENDING]}, "
        f"skickade: {counts[OutboxStatus.SENT]}, misslyckade: {counts[OutboxStatus.FAILED]}."
    )
    for failure in failures:
        print(f"  #{failure.id} {failure.kind} till {failure.recipient}: {failure.error}")
    return 1 if counts[OutboxStatus.FAILED] else 0
