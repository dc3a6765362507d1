"""Dates and times as Swedish mails write them."""

from __future__ import annotations

from datetime import date, time

from courses.domain.wording import describe_session, one_line, swedish_time, swedish_weekday


def test_a_timed_session_reads_weekday_date_and_times_with_dots() -> None:
    text = describe_session(date(2022, 9, 14), time(9, 0), time(16, 30))

    assert text == "onsdag 14 september 2022 kl. 09.00–16.30"


def test_a_session_without_times_is_an_all_day_session() -> None:
    assert describe_session(date(2023, 5, 4), None, None) == "torsdag 4 maj 2023 (heldag)"


def test_a_session_with_only_a_start_gives_the_start() -> None:
    assert describe_session(date(2022, 3, 27), time(9, 0), None) == "söndag 27 mars 2022 kl. 09.00"


def test_weekdays_and_times_are_swedish() -> None:
    assert [swedish_weekday(date(2022, 3, 21 + i)) for i in range(7)] == [
        "måndag",
        "tisdag",
        "onsdag",
        "torsdag",
        "fredag",
        "lördag",
        "söndag",
    ]
    assert swedish_time(time(7, 5)) == "07.05"


def test_one_line_turns_line_breaks_and_control_characters_into_single_spaces() -> None:
    assert one_line("Anna\r\nBcc: evil@example.com\t x\x00y ") == "Anna Bcc: evil@example.com x y"
