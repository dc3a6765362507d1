"""Sheets for the export tests, and a row source that counts how it is consumed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from enum import IntEnum, StrEnum
from zoneinfo import ZoneInfo

from courses.export import Cell, Sheet

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = ZoneInfo("UTC")

COLUMNS = ["Namn", "E-post", "Arbetsgivare", "Reservplats", "Anmäld", "Kursdag", "Närvaro"]
ANNA: list[Cell] = [
    "Åsa Öberg",
    "asa.oberg@vaxjo.se",
    "Växjö kommun",
    None,
    datetime(2022, 9, 14, 6, 5, 30, tzinfo=UTC),  # 08:05 in Stockholm (summer time)
    date(2022, 10, 3),
    True,
]
ERIK: list[Cell] = [
    "Erik Ängström",
    "erik@kronoberg.se",
    "Region Kronoberg",
    2,
    datetime(2022, 12, 1, 7, 0, tzinfo=UTC),  # 08:00 in Stockholm (winter time)
    date(2022, 10, 4),
    False,
]


def sheet(rows: Iterable[Sequence[Cell]]) -> Sheet:
    return Sheet(title="ASI grundutbildning", columns=COLUMNS, rows=rows)


def one_column(*values: Cell, title: str = "Deltagare") -> Sheet:
    return Sheet(title=title, columns=["Namn"], rows=[[value] for value in values])


class CountingRows:
    """A one-shot row source (like a query's cursor) that records how far it was read."""

    def __init__(self, rows: Sequence[Sequence[Cell]]) -> None:
        self._rows = rows
        self.pulled = 0
        self.passes = 0

    def __iter__(self) -> Iterator[Sequence[Cell]]:
        self.passes += 1
        for row in self._rows:
            self.pulled += 1
            yield row


class Status(StrEnum):
    """Like the service's registration status: a str subclass, not a str."""

    CONFIRMED = "bekräftad"
    HOSTILE = "=1+1"


class Position(IntEnum):
    FIRST = 1
