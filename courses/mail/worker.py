"""The mail worker: claims due outbox rows, sends them, records what happened.

At least once, never silently lost: a row is marked sent only after the server accepted it, so
a worker killed between the two repeats the message, with the same Message-ID, once its lease
has run out. Temporary failures come back after a growing delay (30 s, 1, 2, 4 ... min, at most
an hour) until the mail is three days old; a 5xx answer fails the row at once, with the
server's words in `last_error` for the admins (`courses mail-status`). So does a message that
cannot be built (an address the mailer refuses, a payload that does not fit its kind): trying
again would only fail again, and a failed row is what an admin sees.

Claiming, reading the facts and recording outcomes are the use case of
`courses.services.outbox.delivery`; this module builds the messages and talks to the transport.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from courses.calendar import invite
from courses.domain.notices import MailKind
from courses.logs import log_context
from courses.mail.content import Templates
from courses.mail.message import Outgoing, build_message
from courses.mail.transport import PermanentFailure, TemporaryFailure, Transport
from courses.mail.wakeup import Wakeup
from courses.metrics import Metrics
from courses.services.context import ServiceContext
from courses.services.operations import OutagePacer, database_unavailable
from courses.services.outbox.delivery import (
    Facts,
    ListingFacts,
    Outcome,
    SignInFacts,
    claim_batch,
    load_facts,
    record_outcomes,
)
from courses.storage.outbox import Claimed

__all__ = ["SAFETY_POLL", "BatchResult", "MailWorker", "retry_delay"]

log = logging.getLogger(__name__)

GIVE_UP_AFTER = timedelta(days=3)
SAFETY_POLL = 10.0
"""Seconds an idle worker sleeps at most when something wakes it as mail is committed."""


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    doublings = min(max(attempts - 1, 0), 7)
    return min(timedelta(seconds=30 * 2**doublings), timedelta(hours=1))


@dataclass(slots=True)
class BatchResult:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.failed)


class MailWorker:
    """Sends the outbox. Several may run against one database (PostgreSQL: any number)."""

    def __init__(
        self,
        ctx: ServiceContext,
        transport: Transport,
        *,
        name: str | None = None,
        batch_size: int = 100,
        lanes: int = 2,
        lease: timedelta = timedelta(minutes=5),
        poll_interval: float = SAFETY_POLL,
        templates: Templates | None = None,
        metrics: Metrics | None = None,
        outage: OutagePacer | None = None,
    ) -> None:
        self.ctx = ctx
        self.transport = transport
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self.lanes = lanes
        self.lease = lease
        self.poll_interval = poll_interval
        self.templates = templates or Templates(tz=ctx.tz)
        self.metrics = metrics
        self.outage = outage or OutagePacer("mail worker", log)
        self.wakeup = Wakeup(ctx, self.outage, poll=poll_interval)

    async def run_once(self) -> BatchResult:
        """Claim one batch and send it over one connection; an empty result: nothing was due."""
        claimed = await claim_batch(
            self.ctx, worker=self.name, lease=self.lease, limit=self.batch_size
        )
        if not claimed:
            return BatchResult()
        facts = await load_facts(self.ctx, claimed)
        found = {item.mail.id for item in facts}
        outcomes = [_unreadable(mail) for mail in claimed if mail.id not in found]
        sent = await self._send_all(facts, outcomes)
        await self._record(sent, outcomes)
        result = BatchResult(
            sent=sent,
            retried=[o.id for o in outcomes if o.retry_at is not None],
            failed=[o.id for o in outcomes if o.retry_at is None],
        )
        self._report(result, outcomes)
        return result

    async def drain(self) -> BatchResult:
        """Send batches until nothing is due now (tests, benchmarks, `courses worker --once`)."""
        total = BatchResult()

        async def lane() -> None:
            while (batch := await self.run_once()).claimed:
                total.sent += batch.sent
                total.retried += batch.retried
                total.failed += batch.failed

        await self._in_lanes(lane)
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set: send what is due, sleep until woken (`courses.mail.wakeup`:
        mail committed in this process, PostgreSQL's NOTIFY from any) or polled.

        `lanes` batches are in flight at once, each claimed by itself and sent over its own
        connection: while one waits for the SMTP server's answers, another builds its messages.
        """

        async def lane() -> None:
            while not stop.is_set():
                try:
                    batch = await self.run_once()
                except Exception as exc:
                    if database_unavailable(exc):
                        # Restarting or gone: the rows are safe in it. Wait longer each round,
                        # and say so once a minute (OutagePacer), not once a round.
                        await _pause(stop, self.outage.failed(exc))
                        continue
                    log.exception("mail worker: a round failed; trying again")
                    batch = BatchResult()
                else:
                    self.outage.succeeded()
                if not batch.claimed:
                    await self.wakeup.idle(stop)

        listening = None if self.ctx.db.is_sqlite else asyncio.ensure_future(self.wakeup.run(stop))
        try:
            await self._in_lanes(lane)
        finally:
            if listening is not None:
                await _finish(listening, stop)

    async def _in_lanes(self, lane: Callable[[], Awaitable[None]]) -> None:
        await asyncio.gather(*(lane() for _ in range(self.lanes)))

    def _message(self, facts: Facts, now: datetime) -> Outgoing:
        mail = facts.mail
        settings = self.ctx.settings
        if facts.sender != settings.mail_from:
            settings = replace(settings, mail_from=facts.sender)
        if isinstance(facts, SignInFacts):
            return build_message(
                self.templates.render_sign_in(facts, tz=settings.tz),
                to_name="",
                to_email=facts.email,
                token=mail.message_id,
                settings=settings,
                now=now,
                name=_file_name(mail),
            )
        if isinstance(facts, ListingFacts):
            return build_message(
                self.templates.render_listing(facts),
                to_name=facts.name,
                to_email=facts.email,
                token=mail.message_id,
                settings=settings,
                now=now,
                name=_file_name(mail),
            )
        calendar = None
        if mail.part is not None and mail.method is not None:
            session = facts.part_session
            if session is None:
                raise LookupError(f"outbox row {mail.id}: no session {mail.part}")
            calendar = invite(
                course=facts.course,
                registrant=facts.registrant,
                session=session,
                method=mail.method,
                settings=settings,
                now=now,
                # "Avanmäld", not "Inställt": the course goes on without them.
                by_registrant=mail.kind in (MailKind.CANCELLED, MailKind.TRANSFERRED_OUT),
            )
        to_name, to_email = facts.registrant.name, facts.registrant.email
        if facts.to_manager:
            if facts.approval is None or not facts.approval.manager_email:
                raise LookupError(f"outbox row {mail.id}: no manager to mail")
            to_name, to_email = "", facts.approval.manager_email
        return build_message(
            self.templates.render(facts),
            to_name=to_name,
            to_email=to_email,
            token=mail.message_id,
            settings=settings,
            now=now,
            name=_file_name(mail),
            invite=calendar,
            method=mail.method if calendar is not None else None,
        )

    async def _send_all(self, facts: list[Facts], outcomes: list[Outcome]) -> list[int]:
        """Send over one connection; returns the ids sent and adds the others' outcomes."""
        now = self.ctx.clock.now()
        sent: list[int] = []
        pending = list(facts)
        try:
            async with self.transport.connect() as connection:
                while pending:
                    item = pending[0]
                    try:
                        message = self._message(item, now)
                    except Exception as exc:
                        # Bad data (an address no mailer takes) or a bug: building it again
                        # gives the same error, so the row fails now, where admins see it,
                        # and the rest of the batch goes on.
                        with log_context(mail=item.mail.id):
                            log.exception("mail worker: cannot build outbox row %s", item.mail.id)
                        outcomes.append(Outcome(item.mail.id, f"Kunde inte byggas: {exc}", None))
                        pending.pop(0)
                        continue
                    try:
                        await connection.send(message)
                    except PermanentFailure as exc:
                        outcomes.append(Outcome(item.mail.id, str(exc), None))
                        pending.pop(0)
                        continue
                    except TemporaryFailure as exc:
                        outcomes.append(_retry(item.mail, str(exc), now))
                        pending.pop(0)
                        if exc.connection_lost:
                            raise
                        continue
                    sent.append(pending.pop(0).mail.id)
        except TemporaryFailure as exc:
            outcomes += [_retry(item.mail, str(exc), now) for item in pending]
        return sent

    async def _record(self, sent: list[int], outcomes: list[Outcome]) -> None:
        await record_outcomes(self.ctx, worker=self.name, sent=sent, others=outcomes)

    def _report(self, result: BatchResult, outcomes: list[Outcome]) -> None:
        """One log line per mail, with its outbox id, and this process's counters."""
        for id_ in result.sent:
            with log_context(mail=id_):
                log.info("mail worker: sent")
        for outcome in outcomes:
            with log_context(mail=outcome.id):
                if outcome.retry_at is None:
                    log.warning("mail worker: failed for good: %s", outcome.error)
                else:
                    log.info("mail worker: will retry at %s: %s", outcome.retry_at, outcome.error)
        if self.metrics is not None:
            self.metrics.mail_results(
                sent=len(result.sent), retried=len(result.retried), failed=len(result.failed)
            )


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _finish(task: asyncio.Future[None], stop: asyncio.Event) -> None:
    """Wait for a task that ends with the worker's stop, or end it when the worker failed."""
    if not stop.is_set():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _retry(mail: Claimed, error: str, now: datetime) -> Outcome:
    """Later, after a growing delay; failed for good once the mail is too old."""
    if now - mail.created_at >= GIVE_UP_AFTER:
        return Outcome(mail.id, f"Gav upp efter {mail.attempts} försök: {error}", None)
    return Outcome(mail.id, error, now + retry_delay(mail.attempts))


def _unreadable(mail: Claimed) -> Outcome:
    """A claimed row whose facts could not be read: it can never be built."""
    if mail.payload is None:
        return Outcome(mail.id, f"Innehållet passar inte mejltypen {mail.kind}.", None)
    if mail.sign_in_id is not None:
        return Outcome(mail.id, "Inloggningslänken finns inte längre.", None)
    return Outcome(mail.id, "Anmälan finns inte längre.", None)


def _file_name(mail: Claimed) -> str:
    return f"{mail.created_at:%Y%m%d-%H%M%S}-{mail.id:07d}-{mail.kind}"
