"""The values an export holds, and the rules both file formats share: formula neutralising,
wall-clock time in the organizer's zone, and Excel's worksheet-name rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["Cell", "ExportError", "Sheet", "excel_sheet_title", "local_wall_time", "neutralise"]

Cell = str | int | float | bool | date | datetime | None
"""One value of a row. A datetime must be timezone-aware; it is written as the wall-clock time
in the sheet's zone, since neither CSV nor Excel has a time zone."""

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class ExportError(Exception):
    """A row that cannot be written faithfully: a naive datetime, a row of the wrong width,
    more rows than Excel holds. A bug in the caller, not in anyone's input.

    Deliberately not a ValueError: Litestar's wrapper for a synchronous stream ends the
    response quietly on a ValueError from `next()`, which would send a truncated file as 200.
    """


@dataclass(frozen=True, slots=True)
class Sheet:
    """One table to export: a header row and the rows under it.

    `rows` may be a generator; the builders consume it once, lazily, a row at a time, so a
    caller can stream rows from a query without holding them all.
    """

    title: str
    """The worksheet's name; the XLSX builder fits it to Excel's rules (`excel_sheet_title`)."""
    columns: Sequence[str]
    """The header row, as people read it (Swedish, given by the caller)."""
    rows: Iterable[Sequence[Cell]]
    tz: ZoneInfo = STOCKHOLM


# OWASP's CSV Injection page: a cell must not begin with = + - @ TAB or CR. ASVS 5 (1.2.10) adds
# NUL. Leading whitespace does not make a cell safe: a program that trims spaces on import
# (LibreOffice's "Trim spaces" option) would see the formula anyway, so the first character
# after leading whitespace counts too.
_TRIGGERS = frozenset("=+-@\t\r\0")
_FORMULA_AFTER_SPACE = re.compile(r"\s*[=+\-@\0]")


def neutralise(text: str) -> str:
    """The text, with a leading apostrophe if a spreadsheet could take it for a formula.

    A cell that starts with an apostrophe is text to a spreadsheet (OWASP's remedy). In the
    XLSX the apostrophe is part of the value, so it survives a later "save as CSV" and keeps
    that file inert too; the price is that a phone number written "+46 …" reads "'+46 …".
    Text that cannot start a formula is returned unchanged, and neutralising twice changes
    nothing more.
    """
    if not text:
        return text
    first = text[0]
    if first in _TRIGGERS:
        return "'" + text
    if first.isspace() and _FORMULA_AFTER_SPACE.match(text):
        return "'" + text
    return text


def local_wall_time(value: datetime, tz: ZoneInfo) -> datetime:
    """The aware datetime as a naive wall-clock time in `tz` (right across DST changes)."""
    if value.utcoffset() is None:
        # A naive datetime has no instant: astimezone() would guess the server's zone, which
        # is exactly the silent error an export must not make.
        raise ExportError(f"an export needs timezone-aware datetimes, got {value!r}")
    return value.astimezone(tz).replace(tzinfo=None)


_EXCEL_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]+")
_EXCEL_TITLE_MAX = 31  # counted in UTF-16 code units, as Excel counts them
DEFAULT_TITLE = "Blad1"  # what Swedish Excel calls a new workbook's first sheet


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def excel_sheet_title(title: str) -> str:
    """`title` as a name Excel accepts for a worksheet.

    Excel refuses []:*?/\\ and control characters, more than 31 characters, an apostrophe at
    either end, an empty name and the reserved "History". Each run of forbidden characters
    becomes one space, and the name is cut to 31 UTF-16 units.
    """
    cleaned = " ".join(_EXCEL_TITLE_FORBIDDEN.sub(" ", title).split())[:_EXCEL_TITLE_MAX]
    while _utf16_units(cleaned) > _EXCEL_TITLE_MAX:
        cleaned = cleaned[:-1]
    cleaned = cleaned.strip(" '")
    if not cleaned:
        return DEFAULT_TITLE
    if cleaned.casefold() == "history":
        # Excel keeps "History" for its change-tracking sheet and calls a workbook that has
        # one corrupt.
        return f"{cleaned} 1"
    return cleaned
