"""Attendee-list exports as CSV and XLSX: pure builders over rows of plain values (no I/O
beyond XlsxWriter's temporary files), streamed as chunks of bytes for a response body.

    sheet = Sheet(title="ASI grundutbildning", columns=["Namn", "E-post"], rows=rows)
    body = csv_chunks(sheet)          # or xlsx_chunks(sheet)

Both neutralise every text cell against formula injection (`neutralise`), and both consume
`rows` once, lazily: it may be a generator over a query.
"""

from courses.export._cells import Cell, ExportError, Sheet, excel_sheet_title, neutralise
from courses.export._csv import CSV_MEDIA_TYPE, csv_chunks
from courses.export._xlsx import XLSX_MEDIA_TYPE, xlsx_chunks

__all__ = [
    "CSV_MEDIA_TYPE",
    "XLSX_MEDIA_TYPE",
    "Cell",
    "ExportError",
    "Sheet",
    "csv_chunks",
    "excel_sheet_title",
    "neutralise",
    "xlsx_chunks",
]
