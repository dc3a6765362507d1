"""The attendee list as CSV, as a Swedish Excel opens it."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from courses.export import CSV_MEDIA_TYPE, ExportError, Sheet, csv_chunks
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


def text_of(sheet: Sheet) -> str:
    return b"".join(csv_chunks(sheet)).decode("utf-8")


def records(sheet: Sheet) -> list[list[str]]:
    body = text_of(sheet).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))


def test_the_media_type_says_utf8() -> None:
    assert CSV_MEDIA_TYPE == "text/csv; charset=utf-8"


def test_csv_starts_with_a_byte_order_mark_and_separates_with_semicolons_and_crlf() -> None:
    body = b"".join(csv_chunks(sheet([ANNA])))
    assert body.startswith(b"\xef\xbb\xbfNamn;E-post;")
    assert body.endswith(b"\r\n")
    assert body.count(b"\r\n") == 2


def test_csv_keeps_swedish_letters() -> None:
    assert "Åsa Öberg;asa.oberg@vaxjo.se;Växjö kommun;" in text_of(sheet([ANNA]))


def test_csv_writes_values_as_a_swedish_reader_expects() -> None:
    header, anna, erik = records(sheet([ANNA, ERIK]))
    assert header == COLUMNS
    assert anna == [
        "Åsa Öberg", "asa.oberg@vaxjo.se", "Växjö kommun", "", "2022-09-14 08:05",
        "2022-10-03", "ja",
    ]  # fmt: skip
    assert erik == [
        "Erik Ängström", "erik@kronoberg.se", "Region Kronoberg", "2", "2022-12-01 08:00",
        "2022-10-04", "nej",
    ]  # fmt: skip


def test_csv_writes_a_float_with_a_decimal_comma() -> None:
    assert records(one_column(2.5))[1] == ["2,5"]


@pytest.mark.parametrize(
    "field", ["Växjö; Ljungby", "rad ett\r\nrad två", "rad ett\nrad två", 'Säg "hej"']
)
def test_csv_quotes_a_field_with_the_separator_a_line_break_or_a_quote(field: str) -> None:
    body = text_of(one_column(field))
    assert '"' + field.replace('"', '""') + '"\r\n' in body
    assert records(one_column(field))[1] == [field]


def test_csv_leaves_a_plain_field_unquoted() -> None:
    assert text_of(one_column("Anna Öberg")).endswith("\r\nAnna Öberg\r\n")


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_a_text_that_could_start_a_formula(text: str) -> None:
    assert records(one_column(text))[1] == ["'" + text]


def test_csv_leaves_a_harmless_name_as_it_is() -> None:
    assert records(one_column("Ann-Marie Öberg"))[1] == ["Ann-Marie Öberg"]


def test_csv_neutralises_the_header_too() -> None:
    hostile = Sheet(title="x", columns=["=1+1"], rows=[])
    assert records(hostile) == [["'=1+1"]]


def test_csv_of_an_empty_list_is_the_header_alone() -> None:
    assert text_of(sheet([])) == "\ufeff" + ";".join(COLUMNS) + "\r\n"


def test_csv_reads_the_rows_once_and_only_as_the_chunks_are_pulled() -> None:
    source = CountingRows([ANNA, ERIK] * 2000)
    chunks = csv_chunks(sheet(source))
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbf")
    assert source.pulled == 0
    second = next(chunks)
    assert 0 < source.pulled < 4000
    rest = b"".join(chunks)
    assert (source.pulled, source.passes) == (4000, 1)
    assert (first + second + rest).decode("utf-8").count("\r\n") == 4001


def test_csv_comes_in_chunks_of_about_64_kib() -> None:
    chunks = list(csv_chunks(sheet([ANNA, ERIK] * 2000)))
    assert len(chunks) > 3
    assert all(len(chunk) < 80 * 1024 for chunk in chunks)


def test_csv_refuses_a_row_of_the_wrong_width() -> None:
    with pytest.raises(ExportError, match="row 2 has 1 cells for 7 columns"):
        b"".join(csv_chunks(sheet([ANNA, ["Anna"]])))


def test_csv_refuses_a_naive_datetime() -> None:
    with pytest.raises(ExportError, match="timezone-aware"):
        text_of(one_column(datetime(2022, 9, 14, 8, 5)))


def test_csv_writes_enums_by_their_values_and_neutralises_them_too() -> None:
    assert records(one_column(Status.CONFIRMED, Status.HOSTILE, Position.FIRST))[1:] == [
        ["bekräftad"],
        ["'=1+1"],
        ["1"],
    ]


def test_csv_refuses_a_value_that_is_no_cell() -> None:
    with pytest.raises(TypeError, match="cannot hold list"):
        text_of(one_column([1, 2]))  # type: ignore[arg-type]
