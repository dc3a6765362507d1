"""A guaranteed window for the control runs: the bug a guard prevents, made certain."""

from __future__ import annotations

import asyncio


class ReadGate:
    """Holds the first readers until two have read: the window a naive guard leaves, guaranteed.

    A pause of a few milliseconds was not enough: SQLite's one writer once served a rush so
    evenly that a naive guard held (CI saw one confirmed seat where the control expected more).
    With the gate two requests have both read before either writes, so an unguarded path
    must oversell.
    """

    def __init__(self, readers: int = 2) -> None:
        self.readers = readers
        self.seen = 0
        self.open = asyncio.Event()

    async def after_read(self) -> None:
        self.seen += 1
        if self.seen >= self.readers:
            self.open.set()
        await asyncio.wait_for(self.open.wait(), timeout=10)
