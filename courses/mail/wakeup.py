"""When the mail worker looks for mail: as soon as some is committed, else on a slow poll.

In the process that committed it, the services wake the worker themselves
(`ServiceContext.mail_signal`). On PostgreSQL the database also tells every worker, in any
process, through `LISTEN`/`NOTIFY` (`courses.storage.wakeup`); this module keeps that
connection, reconnecting after an outage with the worker's own back-off, and turns each
notification into the same signal. The poll (`MailWorker.poll_interval`) is only a safety net
and the clock for mail whose retry time comes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from courses.services.context import ServiceContext
from courses.services.operations import OutagePacer, database_unavailable
from courses.services.outbox.delivery import next_due
from courses.services.staff.sign_in import DECIDE_AFTER
from courses.storage import wakeup
from courses.storage.staff_tables import sign_in_request_table

__all__ = ["BUSY_LOOK", "Wakeup"]

log = logging.getLogger(__name__)

BUSY_LOOK = 0.05
"""Seconds until the next look when a transaction queuing mail was open at the last one."""


class Wakeup:
    """A worker's `LISTEN` connection on PostgreSQL, kept open by `run` until `stop`."""

    def __init__(self, ctx: ServiceContext, outage: OutagePacer, *, poll: float) -> None:
        self.ctx = ctx
        self.outage = outage
        self.poll = poll
        self._listener: wakeup.Listener | None = None
        self._sleepers = 0  # lanes in `idle` on PostgreSQL
        self._guard = asyncio.Lock()  # counting them and taking or leaving the lock agree

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._listener.closed.is_set()

    async def idle(self, stop: asyncio.Event) -> None:
        """After a look that found nothing due: wait until there may be something to do.

        On PostgreSQL the worker first asks the database to notify it and then looks once
        more (`next_due`): what was committed before the triggers would notify is seen there.
        The lock that asks stays held while any lane sleeps; the last one awake lets go."""
        if not self.listening:
            await self._wait(stop, await self._until_due())
            return
        self._sleepers += 1
        try:
            async with self._guard:
                asleep = await self._sleep()
            wait = await self._until_due() if asleep else BUSY_LOOK
            await self._wait(stop, wait)
        finally:
            self._sleepers -= 1
            async with self._guard:
                if not self._sleepers:
                    await self._wake()

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        """Until the signal, `seconds` or `stop`, whichever comes first."""
        if stop.is_set() or seconds <= 0:
            return
        waits = {
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(self.ctx.mail_signal.wait_at_most(seconds)),
        }
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _until_due(self) -> float:
        """The poll, or less when a retry (or a dead worker's lease) comes due before it."""
        try:
            due = await next_due(self.ctx)
        except Exception as exc:
            if not database_unavailable(exc):
                log.exception("mail worker: could not read when mail is next due")
            return self.poll
        if due is None:
            return self.poll
        return min(max((due - self.ctx.clock.now()).total_seconds(), 0.0), self.poll)

    async def _sleep(self) -> bool:
        """Ask the database to notify this worker from now on; False when it cannot (not
        listening, or a transaction queuing mail is still open)."""
        listener = self._listener
        if listener is None or listener.closed.is_set():
            return False
        try:
            return await listener.sleep()
        except Exception as exc:
            if not database_unavailable(exc):
                log.exception("mail worker: could not wait for notifications")
            return False

    async def _wake(self) -> None:
        """No lane sleeps: no notifications are needed."""
        listener = self._listener
        if listener is None:
            return
        with contextlib.suppress(Exception):  # a lost connection lets go of the lock itself
            await listener.wake()

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop`; after each (re)connection the worker looks once, for what was
        committed while nobody listened."""
        while not stop.is_set():
            try:
                listener = await wakeup.listen(self.ctx.db.engine, self._notified)
            except Exception as exc:
                if not database_unavailable(exc):
                    log.exception("mail worker: LISTEN failed; trying again")
                await _until(stop, self.outage.failed(exc))
                continue
            self.outage.succeeded()
            self._listener = listener
            self.ctx.mail_signal.notify()
            stopped = asyncio.ensure_future(stop.wait())
            lost = asyncio.ensure_future(listener.closed.wait())
            try:
                await asyncio.wait({stopped, lost}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopped.cancel()
                lost.cancel()
                self._listener = None
                await listener.close()
            if not stop.is_set():
                log.info("mail worker: the LISTEN connection was lost; connecting again")

    def _notified(self, table: str) -> None:
        if table == sign_in_request_table.name:
            # As in the service's own process: decided a moment later, not while the
            # request's answer is still on its way (courses.services.staff.sign_in).
            self.ctx.mail_signal.notify_after(DECIDE_AFTER)
        else:
            self.ctx.mail_signal.notify()


async def _until(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
