"""The jobs that run on a timer beside the mail worker: due lottery draws, due reminders,
managers' approvals reminded and run out (courses.services.approval.answers), seats of ended
fair-seat shares handed to the waitlist, forgetting old mail, and once a day the retention
purge (gallring).

`courses worker` and `courses serve` (composition root) run `keep_house` next to the worker;
`courses worker --once` runs one round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from courses.services.approval.answers import approval_round
from courses.services.context import ServiceContext
from courses.services.lottery.draw import run_due_draws
from courses.services.offers.expiry import lapse_due_offers
from courses.services.operations import OutagePacer, database_unavailable
from courses.services.outbox.reminders import queue_reminders
from courses.services.retention.purge import daily_purge
from courses.services.seats.share_release import release_ended_shares
from courses.storage import course_leaders, outbox

__all__ = ["KEEP_SENT", "housekeeping", "keep_house", "reconcile_leaders"]

log = logging.getLogger(__name__)

# Delivered mails are kept this long (a registrant asking "did you send it?"), then deleted.
KEEP_SENT = timedelta(days=90)


async def housekeeping(ctx: ServiceContext) -> None:
    """One round: run due lottery draws, queue due reminders, remind managers and cancel
    approvals that ran out, release ended fair-seat shares, let unanswered seat offers lapse,
    forget mail delivered more than `KEEP_SENT` ago, and purge the personal data past its
    retention if no worker has yet today."""
    for drawn in await run_due_draws(ctx):
        log.info(
            "lottery: drew %s: %d seated, %d waitlisted", drawn.slug, drawn.seated, drawn.waitlisted
        )
    if await queue_reminders(ctx):
        ctx.mail_signal.notify()
    await approval_round(ctx)
    await release_ended_shares(ctx)
    await lapse_due_offers(ctx)
    async with ctx.db.write() as conn:
        await outbox.prune_sent(conn, sent_before=ctx.clock.now() - KEEP_SENT)
    purged = await daily_purge(ctx)
    if purged is not None and purged.registrations:
        log.info(
            "retention: purged %d registrations of %d courses",
            purged.registrations,
            len(purged.courses),
        )


async def reconcile_leaders(ctx: ServiceContext) -> int:
    """Bring `course_leader` in step with the courses' leaders (courses an instance of the
    previous release changed during an upgrade); how many courses needed it."""
    async with ctx.db.write() as conn:
        fixed = await course_leaders.reconcile_course_leaders(conn)
    if fixed:
        log.info(
            "kursledare: ledarregistret rättat för %d kurser (ändrade av en äldre version)", fixed
        )
    return fixed


async def keep_house(ctx: ServiceContext, stop: asyncio.Event, *, every: float = 60.0) -> None:
    """A round now and every `every` seconds until `stop` is set; before the first round,
    the course leaders are reconciled (`reconcile_leaders`)."""
    outage = OutagePacer("housekeeping", log, first=every, longest=every)
    reconciled = False
    while not stop.is_set():
        try:
            if not reconciled:
                await reconcile_leaders(ctx)
                reconciled = True
            await housekeeping(ctx)
        except Exception as exc:
            # The database may be restarting: the next round tries again, said once a minute.
            if database_unavailable(exc):
                outage.failed(exc)
            else:
                log.exception("housekeeping: a round failed; trying again later")
        else:
            outage.succeeded()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
