"""Moving a course's days forward, the copy's slug, and the holidays its days land on."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from courses.domain.calendar_shift import copy_slugs, shift_day, years_in
from courses.services.schedule.days_off import days_off

TZ = ZoneInfo("Europe/Stockholm")
YEAR = 52 * 7


def test_fifty_two_weeks_keep_the_weekday() -> None:
    for day in (date(2022, 9, 14), date(2022, 1, 3), date(2023, 12, 31), date(2022, 6, 24)):
        moved = shift_day(day, YEAR)
        assert moved.weekday() == day.weekday()
        assert (moved - day).days == 364


def test_a_shift_across_a_leap_day_keeps_the_weekday() -> None:
    assert shift_day(date(2023, 9, 14), YEAR) == date(2024, 9, 12)
    assert shift_day(date(2024, 2, 29), YEAR) == date(2025, 2, 27)
    assert shift_day(date(2024, 2, 29), YEAR).weekday() == date(2024, 2, 29).weekday()


def test_a_shift_across_daylight_saving_keeps_the_time_of_day() -> None:
    # Summer time began on 26 March 2023 but only on 31 March 2024: a 09:00 session on the
    # first day of summer time lands 52 weeks on, on 24 March 2024, in winter time. The local
    # 09:00 is what stays; the offset from UTC changes with it.
    day = date(2023, 3, 26)
    moved = shift_day(day, YEAR)
    assert moved == date(2024, 3, 24)
    before = datetime.combine(day, time(9), tzinfo=TZ)
    after = datetime.combine(moved, time(9), tzinfo=TZ)
    assert (before.hour, after.hour) == (9, 9)
    assert before.utcoffset() != after.utcoffset()


def test_fifty_two_weeks_are_one_year_and_half_a_year_none() -> None:
    assert years_in(YEAR) == 1
    assert years_in(104 * 7) == 2
    assert years_in(26 * 7) == 0
    assert years_in(7) == 0


def test_the_slug_year_moves_with_the_course() -> None:
    assert next(copy_slugs("asi-grund-2022", 1)) == "asi-grund-2023"
    assert next(copy_slugs("asi-grund-2022", 2)) == "asi-grund-2024"


def test_a_taken_slug_gets_a_counter() -> None:
    assert list(islice(copy_slugs("asi-grund-2022", 1), 3)) == [
        "asi-grund-2023",
        "asi-grund-2023-2",
        "asi-grund-2023-3",
    ]


def test_a_copy_with_a_counter_moves_to_the_plain_slug_of_its_new_year() -> None:
    assert next(copy_slugs("asi-grund-2023-2", 1)) == "asi-grund-2024"


def test_a_slug_without_a_year_becomes_a_copy() -> None:
    assert list(islice(copy_slugs("mi-fortsattning", 1), 2)) == [
        "mi-fortsattning-kopia",
        "mi-fortsattning-kopia-2",
    ]
    assert next(copy_slugs("mi-fortsattning-kopia-3", 1)) == "mi-fortsattning-kopia"


def test_a_year_not_moved_keeps_its_slug_first_so_the_copy_gets_a_counter() -> None:
    assert list(islice(copy_slugs("asi-grund-2022", 0), 2)) == [
        "asi-grund-2022",
        "asi-grund-2022-2",
    ]


def test_every_candidate_fits_a_slug() -> None:
    long = "a" * 95 + "-2022"
    for slug in islice(copy_slugs(long, 1), 12):
        assert len(slug) <= 100
        assert not slug.endswith("-")
        assert "--" not in slug


def test_midsommarafton_julafton_and_nyarsafton_are_named() -> None:
    found = days_off([date(2023, 6, 23), date(2023, 12, 24), date(2023, 12, 31)])
    assert found == {
        date(2023, 6, 23): "Midsommarafton",
        date(2023, 12, 24): "Julafton",
        date(2023, 12, 31): "Nyårsafton",
    }


def test_public_holidays_are_named_in_swedish() -> None:
    found = days_off([date(2023, 4, 7), date(2023, 6, 6), date(2024, 1, 1), date(2024, 5, 9)])
    assert found == {
        date(2023, 4, 7): "Långfredagen",
        date(2023, 6, 6): "Nationaldagen",
        date(2024, 1, 1): "Nyårsdagen",
        date(2024, 5, 9): "Kristi himmelsfärdsdag",
    }


def test_a_plain_sunday_or_working_day_is_not_flagged() -> None:
    assert days_off([date(2023, 6, 25), date(2023, 6, 22), date(2023, 9, 13)]) == {}
