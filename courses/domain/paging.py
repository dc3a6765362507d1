"""One page of a list that grows with the country: which rows, of how many.

Lists that can run into thousands (courses, attendees, the audit log, mail) are read a page at
a time, with the count beside it, so a page costs the same however long the list is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

__all__ = ["MAX_OFFSET", "MONTH_PATTERN", "Page", "Window", "month_span"]

T = TypeVar("T")
U = TypeVar("U")

MAX_OFFSET = 10_000_000
"""No list comes near it; a larger offset is a mistyped link, refused or read as the start."""


MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
"""A month as the filters take it: `2027-09`."""
_MONTH = re.compile(MONTH_PATTERN)


def month_span(value: str | None) -> tuple[date, date] | None:
    """The first and last day of the month `YYYY-MM`; None for anything else."""
    if value is None or not _MONTH.match(value):
        return None
    year, month = int(value[:4]), int(value[5:])
    if year < 1:
        return None
    first = date(year, month, 1)
    last = date(year, 12, 31) if month == 12 else date(year, month + 1, 1) - timedelta(days=1)
    return first, last


@dataclass(frozen=True, slots=True)
class Window:
    """Which rows: `limit` of them after skipping `offset`."""

    limit: int
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit < 1 or not 0 <= self.offset <= MAX_OFFSET:
            raise ValueError(f"not a page window: {self.limit}, {self.offset}")

    @classmethod
    def page(cls, number: int, *, size: int) -> Window:
        """The `number`th page (from 1) of `size` rows."""
        return cls(limit=size, offset=(number - 1) * size)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The rows of one window, and how many rows the whole list has."""

    items: Sequence[T]
    total: int
    window: Window

    @property
    def first(self) -> int:
        """The number (from 1) of the first row shown; 0 when none is."""
        return self.window.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.window.offset + len(self.items)

    @property
    def has_next(self) -> bool:
        return self.last < self.total

    @property
    def has_previous(self) -> bool:
        return self.window.offset > 0

    @property
    def number(self) -> int:
        """The page's number (from 1) when pages are `limit` rows each."""
        return self.window.offset // self.window.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.window.limit))

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page([convert(item) for item in self.items], self.total, self.window)
