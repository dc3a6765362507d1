"""`courses mail-status`: how much mail waits and which failed, loading nothing that sends it.

It reads the outbox itself, the two statements `courses.services.outbox.delivery` runs for
`mail_counts` and `recent_failures`, so that it starts without the mail-delivery services (and
what they import: registrations, seats, links, sign-in).
"""

from __future__ import annotations

from courses.cli.database import open_database
from courses.domain.notices import OutboxStatus
from courses.settings import Settings
from courses.storage import outbox

__all__ = ["mail_status"]


async def mail_status(settings: Settings) -> int:
    db = await open_database(settings)
    try:
        async with db.read() as conn:
            counts = await outbox.counts(conn)
            failures = await outbox.recent_failures(conn, limit=20)
    finally:
        await db.dispose()
    print(
        f"Väntar: {counts[OutboxStatus.PENDING]}, skickas nu: {counts[OutboxStatus.SENDING]}, "
        f"skickade: {counts[OutboxStatus.SENT]}, misslyckade: {counts[OutboxStatus.FAILED]}."
    )
    for failure in failures:
        print(f"  #{failure.id} {failure.kind} till {failure.recipient}: {failure.error}")
    return 1 if counts[OutboxStatus.FAILED] else 0
