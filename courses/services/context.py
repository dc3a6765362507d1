"""What every service needs: the database, the clock and the settings."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from courses.clock import Clock
from courses.services.definitions import DefinitionCache
from courses.settings import Settings
from courses.storage.db import Database

__all__ = ["MailSignal", "ServiceContext"]


class MailSignal:
    """Wakes the mail worker of this process as soon as a service has committed mail.

    A worker in another process is woken by the database (PostgreSQL's NOTIFY, in
    `courses.mail.wakeup`) or finds the rows on its next poll.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._later: asyncio.TimerHandle | None = None

    def notify(self) -> None:
        self._event.set()

    def notify_after(self, seconds: float) -> None:
        """Wake the worker `seconds` from now (once, however often this is called meanwhile)."""
        if self._later is None or self._later.cancelled() or self._later.when() <= _now():
            self._later = asyncio.get_running_loop().call_later(seconds, self._event.set)

    async def wait_at_most(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


def _now() -> float:
    return asyncio.get_running_loop().time()


@dataclass(frozen=True, slots=True)
class ServiceContext:
    db: Database
    clock: Clock
    settings: Settings
    cache: DefinitionCache = field(default_factory=DefinitionCache)
    mail_signal: MailSignal = field(default_factory=MailSignal)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz
