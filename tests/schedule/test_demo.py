"""The demo copy: the real schedule moved into the coming weeks, clearly labelled."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import msgspec
import pytest

from courses.schedule import Schedule, load_schedule, parse_schedule
from courses.schedule.demo import demo_schedule

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = date(2025, 2, 12)


@pytest.fixture(scope="module")
def real() -> Schedule:
    return load_schedule(SEEDS / "schedule-2022.toml")


@pytest.fixture(scope="module")
def demo(real: Schedule) -> Schedule:
    return demo_schedule(real, today=TODAY)


def all_dates(schedule: Schedule) -> list[list[date]]:
    return [
        [c.deadline, *(s.date for s in c.session), *([c.opens] if c.opens else [])]
        for c in schedule.course
    ]


def test_demo_keeps_every_course_in_order(real: Schedule, demo: Schedule) -> None:
    assert [c.slug for c in demo.course] == [f"demo-{c.slug}" for c in real.course]


def test_every_date_moves_by_the_same_whole_number_of_weeks(real: Schedule, demo: Schedule) -> None:
    shifts = {
        new - old
        for old_dates, new_dates in zip(all_dates(real), all_dates(demo), strict=True)
        for old, new in zip(old_dates, new_dates, strict=True)
    }

    [shift] = shifts
    assert shift > timedelta(0)
    assert shift.days % 7 == 0


def test_weekdays_are_kept(real: Schedule, demo: Schedule) -> None:
    for old, new in zip(real.course, demo.course, strict=True):
        assert [s.date.weekday() for s in new.session] == [s.date.weekday() for s in old.session]


def test_earliest_deadline_is_two_to_three_weeks_ahead(demo: Schedule) -> None:
    earliest = min(c.deadline for c in demo.course)

    assert TODAY + timedelta(days=14) <= earliest < TODAY + timedelta(days=21)


@pytest.mark.parametrize("offset", range(7))
def test_earliest_deadline_is_at_least_14_days_ahead_on_any_weekday(
    real: Schedule, offset: int
) -> None:
    today = date(2030, 6, 3) + timedelta(days=offset)

    moved = demo_schedule(real, today=today)

    earliest = min(c.deadline for c in moved.course)
    assert timedelta(days=14) <= earliest - today < timedelta(days=21)


def test_demo_slugs_are_prefixed_and_titles_say_demo(demo: Schedule) -> None:
    for course in demo.course:
        assert course.slug.startswith("demo-")
        assert "DEMO" in course.title


def test_demo_description_says_it_is_not_a_real_course(real: Schedule, demo: Schedule) -> None:
    for old, new in zip(real.course, demo.course, strict=True):
        assert new.description is not None
        assert "Det är inte en riktig utbildning." in new.description
        assert old.slug in new.description


def test_an_existing_description_is_kept_after_the_demo_note() -> None:
    schedule = parse_schedule(
        '[[course]]\nslug = "lvm"\ntitle = "LVM"\ndeadline = 2022-03-20\n'
        'description = "Om LVM."\n'
        '[[course.format]]\nkey = "digital"\nkind = "digital"\n'
        "[[course.session]]\ndate = 2022-03-29\n"
    )

    [moved] = demo_schedule(schedule, today=TODAY).course

    assert moved.description is not None
    assert moved.description.startswith("DEMO")
    assert moved.description.endswith("\n\nOm LVM.")


def test_demo_keeps_formats_caps_leaders_and_times(real: Schedule, demo: Schedule) -> None:
    for old, new in zip(real.course, demo.course, strict=True):
        assert new.format == old.format
        assert new.seats == old.seats
        assert new.waitlist == old.waitlist
        assert new.leaders == old.leaders
        assert [(s.start, s.end, s.place) for s in new.session] == [
            (s.start, s.end, s.place) for s in old.session
        ]


def test_the_opening_date_moves_with_the_course() -> None:
    schedule = parse_schedule(
        '[[course]]\nslug = "lvm"\ntitle = "LVM"\ndeadline = 2022-03-20\nopens = 2022-03-01\n'
        '[[course.format]]\nkey = "digital"\nkind = "digital"\n'
        "[[course.session]]\ndate = 2022-03-29\n"
    )

    [moved] = demo_schedule(schedule, today=TODAY).course

    assert moved.opens is not None
    assert moved.deadline - moved.opens == timedelta(days=19)


def test_the_share_and_draw_days_move_with_the_course() -> None:
    schedule = parse_schedule(
        '[[course]]\nslug = "asi"\ntitle = "ASI"\ndeadline = 2022-09-01\nseats = 4\n'
        'per_employer = 1\nshare_until = 2022-08-25\nallocation = "lottery"\n'
        "draw = 2022-09-02\n"
        '[[course.format]]\nkey = "digital"\nkind = "digital"\n'
        "[[course.session]]\ndate = 2022-09-14\n"
    )

    [moved] = demo_schedule(schedule, today=TODAY).course

    assert moved.share_until is not None
    assert moved.draw is not None
    assert moved.deadline - moved.share_until == timedelta(days=7)
    assert moved.draw - moved.deadline == timedelta(days=1)
    assert moved.session[0].date - moved.draw == timedelta(days=12)


def test_demo_leaves_the_real_schedule_untouched(real: Schedule) -> None:
    before = [(c.slug, c.title, c.deadline) for c in real.course]

    demo_schedule(real, today=TODAY)

    assert [(c.slug, c.title, c.deadline) for c in real.course] == before


def test_demo_of_a_schedule_without_courses_is_empty() -> None:
    assert demo_schedule(Schedule(), today=TODAY).course == []


def test_the_demo_of_the_real_schedule_is_itself_a_valid_schedule(demo: Schedule) -> None:
    assert msgspec.convert(msgspec.to_builtins(demo), Schedule) == demo


def test_the_demo_stays_valid_at_the_length_limits() -> None:
    schedule = parse_schedule(
        f'[[course]]\nslug = "{"a" * 100}"\ntitle = "{"T" * 200}"\ndeadline = 2022-03-20\n'
        '[[course.format]]\nkey = "digital"\nkind = "digital"\n'
        "[[course.session]]\ndate = 2022-03-29\n"
    )

    demo = demo_schedule(schedule, today=TODAY)

    assert msgspec.convert(msgspec.to_builtins(demo), Schedule) == demo
