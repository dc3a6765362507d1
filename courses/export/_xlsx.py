"""The attendee list as an Excel workbook (.xlsx), written by XlsxWriter.

Every value is a string, a number or a date, never a formula: strings go through
`write_string` (and the workbook's options turn off its guessing of formulas, numbers and URLs,
should anything call `write`), and are neutralised like the CSV's, so that the workbook stays
inert after someone saves it as CSV.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter

from courses.export._cells import (
    Cell,
    ExportError,
    Sheet,
    excel_sheet_title,
    local_wall_time,
    neutralise,
)

__all__ = ["XLSX_MEDIA_TYPE", "xlsx_chunks"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_CHUNK = 64 * 1024
_SPOOL = 8 * 1024 * 1024  # a 10 000-row list compresses to well under 1 MiB
_SAMPLE_ROWS = 200  # column widths are fitted to the header and the first rows
_MIN_WIDTH, _MAX_WIDTH = 6, 60
_MAX_ROW = 1_048_575  # Excel's last row, counted from 0 as XlsxWriter does
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_OPTIONS = {
    # Not constant_memory: that mode writes each row to a temporary file as it comes, but it
    # escapes and writes every string of every cell there, where the default mode keeps one
    # shared copy of each distinct string (employer, status, "ja"). For 10 000 rows x 14
    # columns the default mode takes about 30 % less time (the export's time target is the
    # tighter limit) for about 17 MiB more memory while the file is built: one small tuple per
    # cell, the rows themselves are not kept. It also leaves no open temporary file behind
    # when a row fails half-way. bench/export.py measures both figures.
    "constant_memory": False,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def xlsx_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The sheet as one worksheet of an .xlsx file, in chunks of 64 KiB.

    XlsxWriter builds the file only when the workbook closes, so nothing can be sent before
    the last row is written: the rows are consumed once, lazily, on the first `next()`; the
    workbook is written to a SpooledTemporaryFile (in memory up to 8 MiB, then on disk), which
    is then read back in chunks. Until then XlsxWriter holds a small tuple per cell (about
    17 MiB for 10 000 rows of 14 columns), so pass the rows as a generator rather than a list
    to keep them in memory once. It is CPU-bound for about a second at that size: iterate it
    off the event loop.

    The header row is bold and frozen, with a filter; dates and datetimes are Excel dates
    (yyyy-mm-dd, yyyy-mm-dd hh:mm in the sheet's zone); booleans are "ja"/"nej".
    """
    with (
        tempfile.TemporaryDirectory(prefix="courses-xlsx-") as scratch,
        tempfile.SpooledTemporaryFile(max_size=_SPOOL) as out,
    ):
        # XlsxWriter writes the package's parts to temporary files when it closes; should that
        # fail half-way, a directory of our own is still removed.
        _write_workbook(sheet, out, scratch)
        out.seek(0)
        while chunk := out.read(_CHUNK):
            yield chunk


def _write_workbook(sheet: Sheet, out: IO[bytes], scratch: str) -> None:
    workbook: Any = xlsxwriter.Workbook(out, {**_OPTIONS, "tmpdir": scratch})
    worksheet: Any = workbook.add_worksheet(excel_sheet_title(sheet.title))
    header = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": _DATE_FORMAT})
    datetime_format = workbook.add_format({"num_format": _DATETIME_FORMAT})
    widths = [len(title) + 1 for title in sheet.columns]  # bold runs a little wider
    for column, title in enumerate(sheet.columns):
        worksheet.write_string(0, column, neutralise(title), header)
    worksheet.freeze_panes(1, 0)

    tz = sheet.tz
    width = len(widths)
    write_string = worksheet.write_string
    write_number = worksheet.write_number
    write_datetime = worksheet.write_datetime
    last = 0  # the sheet row of the last list row; 0 when the list is empty
    for last, row in enumerate(sheet.rows, start=1):
        if len(row) != width:
            raise ExportError(f"row {last} has {len(row)} cells for {width} columns")
        if last > _MAX_ROW:
            # XlsxWriter would drop the cells beyond Excel's last row without a word.
            raise ExportError(f"an Excel sheet holds at most {_MAX_ROW} rows under its header")
        # This runs for every cell: exact type checks, the commonest first, and bound methods.
        for column, value in enumerate(row):
            if type(value) is str:
                if value:
                    write_string(last, column, neutralise(value))
            elif value is None:
                pass
            elif type(value) is datetime:
                write_datetime(last, column, local_wall_time(value, tz), datetime_format)
            elif type(value) is bool:
                write_string(last, column, "ja" if value else "nej")
            elif type(value) is int:
                write_number(last, column, value)
            elif type(value) is date:
                write_datetime(last, column, value, date_format)
            else:
                _write_other(worksheet, last, column, value, tz, date_format, datetime_format)
        if last <= _SAMPLE_ROWS:
            _measure(row, widths)

    for column, chars in enumerate(widths):
        worksheet.set_column(column, column, max(_MIN_WIDTH, min(chars + 2, _MAX_WIDTH)))
    worksheet.autofilter(0, 0, last, max(width - 1, 0))
    workbook.close()


def _write_other(
    worksheet: Any,
    row: int,
    column: int,
    value: Cell,
    tz: ZoneInfo,
    date_format: Any,
    datetime_format: Any,
) -> None:
    # Floats, and subclasses of the cell types (a StrEnum status, an IntEnum); bool before int
    # and datetime before date, since each is the other's subclass.
    if isinstance(value, str):
        worksheet.write_string(row, column, neutralise(str(value)))
    elif isinstance(value, bool):
        worksheet.write_string(row, column, "ja" if value else "nej")
    elif isinstance(value, int):
        worksheet.write_number(row, column, int(value))
    elif isinstance(value, float):
        if math.isfinite(value):
            worksheet.write_number(row, column, float(value))
        else:
            # Excel has no NaN or infinity; the text says what the value was.
            worksheet.write_string(row, column, repr(float(value)))
    elif isinstance(value, datetime):
        worksheet.write_datetime(row, column, local_wall_time(value, tz), datetime_format)
    elif isinstance(value, date):
        worksheet.write_datetime(row, column, value, date_format)
    else:
        raise TypeError(f"an export cell cannot hold {type(value).__name__}: {value!r}")


def _measure(row: Sequence[Cell], widths: list[int]) -> None:
    for column, value in enumerate(row):
        if isinstance(value, datetime):
            chars = len("2022-09-14 08:05")
        elif isinstance(value, date):
            chars = len("2022-09-14")
        elif isinstance(value, bool):
            chars = 3
        elif value is None:
            continue
        else:
            chars = len(str(value))
        if chars > widths[column]:
            widths[column] = chars
