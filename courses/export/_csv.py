"""The attendee list as CSV for Swedish Excel: UTF-8 with a byte-order mark, ';' between
fields, CRLF between records, RFC 4180 quoting."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from courses.export._cells import Cell, ExportError, Sheet, local_wall_time, neutralise

__all__ = ["CSV_MEDIA_TYPE", "csv_chunks"]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

# Excel opens a CSV as the system's legacy code page unless the file starts with a BOM, and a
# Swedish Excel splits fields on ';' (its list separator, since ',' is the decimal comma).
_BOM = "\ufeff".encode()
_CHUNK = 64 * 1024  # characters; a little more in bytes, since å, ä and ö take two


def _text(value: Cell, tz: ZoneInfo) -> str:
    # Exact types first: this runs for every cell, and a type check is cheaper than isinstance
    # (bool is an int, datetime is a date, so order matters in the slow path below).
    if type(value) is str:
        return neutralise(value)
    if value is None:
        return ""
    if type(value) is datetime:
        return local_wall_time(value, tz).isoformat(" ", "minutes")
    if type(value) is date:
        return value.isoformat()
    if type(value) is bool:
        return "ja" if value else "nej"
    if type(value) is int:
        return str(value)
    return _text_of_subclass(value, tz)


def _text_of_subclass(value: Cell, tz: ZoneInfo) -> str:
    # Enums (a StrEnum status, an IntEnum) and other subclasses of the cell types.
    if isinstance(value, str):
        return neutralise(str(value))
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        # A Swedish Excel reads "1,5" as a number and "1.5" as text or a date.
        return repr(float(value)).replace(".", ",")
    if isinstance(value, datetime):
        return local_wall_time(value, tz).isoformat(" ", "minutes")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"an export cell cannot hold {type(value).__name__}: {value!r}")


def _check_width(row: Sequence[Cell], width: int, number: int) -> None:
    if len(row) != width:
        raise ExportError(f"row {number} has {len(row)} cells for {width} columns")


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The sheet as CSV, in chunks of about 64 KiB, built as the chunks are pulled.

    Every text cell is neutralised against formula injection (`neutralise`), the header too.
    Dates are written 2022-09-14, datetimes 2022-09-14 08:05 in the sheet's zone, booleans
    "ja"/"nej", floats with a decimal comma, None as an empty field. The first chunk is the
    BOM and the header row, so a response can start before the first row is read.
    """
    tz = sheet.tz
    width = len(sheet.columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n")
    writer.writerow([neutralise(title) for title in sheet.columns])
    yield _BOM + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for number, row in enumerate(sheet.rows, start=1):
        _check_width(row, width, number)
        writer.writerow([_text(value, tz) for value in row])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
