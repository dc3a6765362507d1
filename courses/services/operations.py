"""What an operator asks of the service: can it reach its database, how long is the mail queue.

Read from the database, so every instance and every process gives the same answer: the outbox
is shared, and whichever worker sends a mail, its row says so.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from courses.domain.notices import OutboxStatus
from courses.services.context import ServiceContext
from courses.storage import outbox
from courses.storage.outage import is_outage

__all__ = [
    "OutagePacer",
    "OutboxBacklog",
    "database_unavailable",
    "outbox_backlog",
    "outbox_backlog_if_reachable",
]


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


class OutagePacer:
    """How a loop in the background (the mail worker, housekeeping) behaves while its database
    cannot be reached: it waits longer after each failed round (`first` seconds, doubling, at
    most `longest`), and logs one warning when the outage begins and then one each `log_every`
    seconds, not one per round; and one line when the database answers again.

    Several lanes of one worker share one pacer, so the log says it once for all of them.
    """

    def __init__(
        self,
        who: str,
        logger: logging.Logger,
        *,
        first: float = 0.2,
        longest: float = 30.0,
        log_every: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.who = who
        self.logger = logger
        self.first = first
        self.longest = longest
        self.log_every = log_every
        self._monotonic = monotonic
        self._since: float | None = None
        self._failures = 0
        self._logged_at = 0.0

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException) -> float:
        """Note a round that found the database unreachable; the seconds to wait before the
        next one."""
        now = self._monotonic()
        if self._since is None:
            self._since, self._failures = now, 0
            self._say(
                now,
                "the database is unavailable (%s); trying again, less often the "
                "longer it lasts (at most every %g s)",
                _first_line(exc),
                self.longest,
            )
        elif now - self._logged_at >= self.log_every:
            self._say(
                now,
                "the database is still unavailable after %.0f s (%d rounds failed): %s",
                now - self._since,
                self._failures,
                _first_line(exc),
            )
        self._failures += 1
        return min(self.first * 2.0 ** min(self._failures - 1, 30), self.longest)

    def succeeded(self) -> None:
        """Note a round that reached the database; after an outage, say it is back."""
        if self._since is None:
            return
        lasted = self._monotonic() - self._since
        self.logger.info(
            "%s: the database is back after %.0f s (%d rounds failed)",
            self.who,
            lasted,
            self._failures,
        )
        self._since, self._failures = None, 0

    def _say(self, now: float, message: str, *args: object) -> None:
        self._logged_at = now
        self.logger.warning(f"%s: {message}", self.who, *args)


def _first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "orig", None) or exc).splitlines()
    return lines[0] if lines else type(exc).__name__
