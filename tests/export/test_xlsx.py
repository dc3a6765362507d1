"""The attendee list as an Excel workbook, read back as Excel would (with openpyxl)."""

from __future__ import annotations

import io
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from courses.export import XLSX_MEDIA_TYPE, ExportError, Sheet, _xlsx, xlsx_chunks
from tests.export.support import (
    ANNA,
    COLUMNS,
    ERIK,
    CountingRows,
    Position,
    Status,
    one_column,
    sheet,
)
from tests.export.test_cells import DANGEROUS


def workbook_of(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def worksheet_of(sheet: Sheet) -> Any:
    book = workbook_of(b"".join(xlsx_chunks(sheet)))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def values(worksheet: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in worksheet.iter_rows()]


def test_the_media_type_is_the_xlsx_one() -> None:
    assert XLSX_MEDIA_TYPE == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_xlsx_has_a_bold_frozen_header_row_with_a_filter() -> None:
    worksheet = worksheet_of(sheet([ANNA, ERIK]))
    assert [cell.value for cell in worksheet[1]] == COLUMNS
    assert all(cell.font.b for cell in worksheet[1])
    assert not worksheet["A2"].font.b
    assert worksheet.freeze_panes == "A2"
    assert worksheet.auto_filter.ref == "A1:G3"


def test_xlsx_holds_the_values_in_stockholm_time() -> None:
    assert values(worksheet_of(sheet([ANNA, ERIK])))[1:] == [
        ["Åsa Öberg", "asa.oberg@vaxjo.se", "Växjö kommun", None,
         datetime(2022, 9, 14, 8, 5, 30), datetime(2022, 10, 3), "ja"],
        ["Erik Ängström", "erik@kronoberg.se", "Region Kronoberg", 2,
         datetime(2022, 12, 1, 8, 0), datetime(2022, 10, 4), "nej"],
    ]  # fmt: skip


def test_xlsx_writes_strings_numbers_and_real_dates() -> None:
    worksheet = worksheet_of(sheet([ERIK]))
    name, email, employer, queue, registered, day, attended = worksheet[2]
    assert {name.data_type, email.data_type, employer.data_type, attended.data_type} == {"s"}
    assert (queue.data_type, queue.value) == ("n", 2)
    assert (registered.is_date, registered.number_format) == (True, "yyyy-mm-dd hh:mm")
    assert (day.is_date, day.number_format) == (True, "yyyy-mm-dd")


@pytest.mark.parametrize(
    "text", ["070-123 45 67", "12345", "1e5", "2022-09-14", "https://x.se", "TRUE"]
)
def test_xlsx_writes_a_text_that_looks_like_a_number_date_or_link_as_text(text: str) -> None:
    cell = worksheet_of(one_column(text))["A2"]
    assert (cell.value, cell.data_type, cell.hyperlink) == (text, "s", None)


def test_xlsx_writes_a_float_as_a_number() -> None:
    cell = worksheet_of(one_column(2.5))["A2"]
    assert (cell.value, cell.data_type) == (2.5, "n")


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_writes_a_formula_like_text_as_neutralised_text_never_a_formula(text: str) -> None:
    worksheet = worksheet_of(one_column(text))
    cells = [cell for row in worksheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    cell = worksheet["A2"]
    assert cell.data_type == "s"
    # XlsxWriter keeps control characters as _xHHHH_ escapes, which openpyxl reads back as is.
    assert cell.value.startswith("'")


def test_the_formula_check_would_see_a_formula() -> None:
    # Control: a workbook that does hold a formula is caught by the check above.
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet().write_formula("A2", '=HYPERLINK("https://evil.example")')
    book.close()
    assert workbook_of(buffer.getvalue()).worksheets[0]["A2"].data_type == "f"


def test_xlsx_leaves_a_harmless_name_as_it_is() -> None:
    assert worksheet_of(one_column("Ann-Marie Öberg"))["A2"].value == "Ann-Marie Öberg"


def test_xlsx_neutralises_the_header_too() -> None:
    cell = worksheet_of(Sheet(title="x", columns=["=1+1"], rows=[]))["A1"]
    assert (cell.value, cell.data_type) == ("'=1+1", "s")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("ASI grundutbildning", "ASI grundutbildning"),
        ("Kurs: ASI/CRA [hösten 2022]", "Kurs ASI CRA hösten 2022"),
        (
            "Motiverande samtal (MI) – fördjupning för socialtjänsten",
            "Motiverande samtal (MI) – fördj",
        ),
        ("'Citerad'", "Citerad"),
        ("", "Blad1"),
        ("history", "history 1"),
    ],
)
def test_xlsx_names_the_sheet_within_excels_rules(title: str, expected: str) -> None:
    assert worksheet_of(one_column("Anna", title=title)).title == expected


def test_xlsx_fits_the_columns_to_their_contents() -> None:
    long_email = "annika.lindstrom-gustafsson@socialtjansten.vaxjo.se"
    worksheet = worksheet_of(Sheet(title="x", columns=["Nr", "E-post"], rows=[[1, long_email]]))
    narrow, wide = worksheet.column_dimensions["A"].width, worksheet.column_dimensions["B"].width
    assert narrow < 10 < len(long_email) <= wide


def test_xlsx_of_an_empty_list_is_the_header_alone() -> None:
    worksheet = worksheet_of(sheet([]))
    assert values(worksheet) == [COLUMNS]


def test_xlsx_reads_the_rows_once_and_not_before_the_first_chunk_is_pulled() -> None:
    source = CountingRows([ANNA, ERIK] * 500)
    chunks = xlsx_chunks(sheet(source))
    assert source.pulled == 0
    data = b"".join(chunks)
    assert (source.pulled, source.passes) == (1000, 1)
    assert workbook_of(data).worksheets[0].max_row == 1001


def test_xlsx_reads_rows_from_a_generator() -> None:
    rows = (row for row in [ANNA, ERIK])
    assert len(values(worksheet_of(sheet(rows)))) == 3


def test_xlsx_comes_in_chunks_of_64_kib() -> None:
    chunks = list(xlsx_chunks(sheet([ANNA, ERIK] * 5000)))
    assert len(chunks) > 1
    assert {len(chunk) for chunk in chunks[:-1]} == {64 * 1024}


def test_xlsx_refuses_a_row_of_the_wrong_width_and_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(ExportError, match="row 3 has 8 cells for 7 columns"):
        b"".join(xlsx_chunks(sheet([ANNA, ERIK, [*ANNA, "extra"]])))
    assert os.listdir(tmp_path) == []


def test_xlsx_refuses_a_naive_datetime() -> None:
    with pytest.raises(ExportError, match="timezone-aware"):
        b"".join(xlsx_chunks(one_column(datetime(2022, 9, 14, 8, 5))))


def test_xlsx_writes_a_plain_date_without_time() -> None:
    cell = worksheet_of(one_column(date(2022, 9, 14)))["A2"]
    assert (cell.value, cell.number_format) == (datetime(2022, 9, 14), "yyyy-mm-dd")


def test_xlsx_refuses_more_rows_than_excel_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    # Excel's 1 048 576 rows, shrunk to three so that the test stays quick.
    monkeypatch.setattr(_xlsx, "_MAX_ROW", 2)
    assert worksheet_of(sheet([ANNA, ERIK])).max_row == 3
    with pytest.raises(ExportError, match="at most 2 rows"):
        b"".join(xlsx_chunks(sheet([ANNA, ERIK, ANNA])))


def test_xlsx_writes_enums_by_their_values_and_neutralises_them_too() -> None:
    worksheet = worksheet_of(one_column(Status.CONFIRMED, Status.HOSTILE, Position.FIRST))
    assert [(cell.value, cell.data_type) for (cell,) in worksheet.iter_rows(min_row=2)] == [
        ("bekräftad", "s"),
        ("'=1+1", "s"),
        (1, "n"),
    ]


def test_xlsx_writes_a_float_that_excel_cannot_hold_as_text() -> None:
    worksheet = worksheet_of(one_column(float("nan"), float("-inf")))
    assert [cell.value for (cell,) in worksheet.iter_rows(min_row=2)] == ["nan", "-inf"]


def test_xlsx_refuses_a_value_that_is_no_cell() -> None:
    with pytest.raises(TypeError, match="cannot hold list"):
        b"".join(xlsx_chunks(one_column([1, 2])))  # type: ignore[arg-type]
