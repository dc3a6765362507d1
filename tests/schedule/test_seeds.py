"""The seed files reproduce the clinic's course page of August 2022 (quoted line by line below).

Each expectation quotes the source line it comes from. Years the page leaves out are 2022
(page updated 22 August 2022, deadlines before the sessions), except "Dag 4: 4 maj 2023".
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from courses.schedule import CourseSpec, Schedule, load_schedule

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NINE, NOON, FOUR = time(9), time(12), time(16)


@pytest.fixture(scope="module")
def schedule() -> Schedule:
    return load_schedule(SEEDS / "schedule-2022.toml")


@pytest.fixture(scope="module")
def employers() -> Schedule:
    return load_schedule(SEEDS / "employers.toml")


def by_title(schedule: Schedule, title: str) -> CourseSpec:
    [found] = [c for c in schedule.course if c.title == title]
    return found


def sessions(course: CourseSpec) -> list[tuple[date, time | None, time | None]]:
    return [(s.date, s.start, s.end) for s in course.session]


def formats(course: CourseSpec) -> list[tuple[str, str | None]]:
    return [(f.kind, f.place) for f in course.format]


# --- courses ---------------------------------------------------------------------------------


def test_the_schedule_holds_exactly_the_five_courses_of_the_source(schedule: Schedule) -> None:
    assert [c.title for c in schedule.course] == [
        "LVM föreläsning",
        "Återfallsprevention",
        "ASI metodstöd med samskattning",
        "ASI grundutbildning",
        "HAP",
    ]
    assert schedule.employer == []


def test_every_course_is_published_with_a_unique_slug(schedule: Schedule) -> None:
    assert all(c.status == "published" for c in schedule.course)
    assert len({c.slug for c in schedule.course}) == 5


@pytest.mark.parametrize(
    ("title", "leader"),
    [
        ("LVM föreläsning", "Jonas Reinholdsson"),  # "Med Jonas Reinholdsson"
        ("Återfallsprevention", "Sophie Andersson"),
        ("ASI metodstöd med samskattning", "Anna Hamle"),
        ("ASI grundutbildning", "Anna Hamle"),
        ("HAP", "Sophie Andersson"),
    ],
)
def test_each_course_has_the_leader_the_source_names(
    schedule: Schedule, title: str, leader: str
) -> None:
    assert [person.name for person in by_title(schedule, title).leaders] == [leader]


@pytest.mark.parametrize(
    ("title", "deadline"),
    [
        ("LVM föreläsning", date(2022, 3, 20)),  # "Sista anmälningsdag 20 mars"
        ("Återfallsprevention", date(2022, 3, 20)),  # "Sista anmälningsdag 20 mars"
        ("ASI metodstöd med samskattning", date(2022, 5, 1)),  # "Sista anmälningsdag 1 maj"
        ("ASI grundutbildning", date(2022, 9, 1)),  # "Sista anmälningsdag 1 september"
        ("HAP", date(2022, 10, 23)),  # "Sista anmälningsdag 23 oktober"
    ],
)
def test_each_course_has_the_deadline_the_source_gives(
    schedule: Schedule, title: str, deadline: date
) -> None:
    assert by_title(schedule, title).deadline == deadline


def test_lvm_lecture_is_one_all_day_digital_session_on_29_march_2022(schedule: Schedule) -> None:
    lvm = by_title(schedule, "LVM föreläsning")  # "29 mars 2022, kommer ske digitalt"

    assert sessions(lvm) == [(date(2022, 3, 29), None, None)]
    assert formats(lvm) == [("digital", None)]


def test_relapse_prevention_is_5_and_6_april_9_to_16_in_ljungby_or_digital(
    schedule: Schedule,
) -> None:
    course = by_title(schedule, "Återfallsprevention")  # "5 och 6 april, kl 9-16"

    assert sessions(course) == [(date(2022, 4, 5), NINE, FOUR), (date(2022, 4, 6), NINE, FOUR)]
    # "Utbildningen sker i Ljungby eller digitalt."
    assert sorted(formats(course), key=str) == [("digital", None), ("on_site", "Ljungby")]


def test_asi_method_support_is_18_may_2022_9_to_12_digital(schedule: Schedule) -> None:
    course = by_title(schedule, "ASI metodstöd med samskattning")  # "18 maj 2022, digitalt kl 9-12"

    assert sessions(course) == [(date(2022, 5, 18), NINE, NOON)]
    assert formats(course) == [("digital", None)]


def test_asi_basic_training_is_four_all_day_sessions_the_last_in_2023(schedule: Schedule) -> None:
    course = by_title(schedule, "ASI grundutbildning")

    # "Dag 1: 14 september", "Dag 2: 15 september", "Dag 3 10 november", "Dag 4: 4 maj 2023"
    assert sessions(course) == [
        (date(2022, 9, 14), None, None),
        (date(2022, 9, 15), None, None),
        (date(2022, 11, 10), None, None),
        (date(2023, 5, 4), None, None),
    ]


def test_asi_basic_training_does_not_invent_a_place_or_a_digital_option(
    schedule: Schedule,
) -> None:
    course = by_title(schedule, "ASI grundutbildning")

    # The source names neither a town nor "digitalt" for this course.
    assert all(f.kind != "digital" for f in course.format)
    places = {f.place for f in course.format} | {s.place for s in course.session}
    assert not places & {"Ljungby", "Växjö"}


def test_hap_is_8_and_9_november_9_to_16_in_ljungby_or_digital(schedule: Schedule) -> None:
    course = by_title(schedule, "HAP")  # "8 och 9 november, kl 9-16"

    assert sessions(course) == [(date(2022, 11, 8), NINE, FOUR), (date(2022, 11, 9), NINE, FOUR)]
    # "Utbildningen sker i Ljungby eller digitalt"
    assert sorted(formats(course), key=str) == [("digital", None), ("on_site", "Ljungby")]


def test_only_asi_basic_training_has_a_cap_of_four(schedule: Schedule) -> None:
    caps = {c.title: c.seats for c in schedule.course}  # "Max 4 deltagare!"

    assert caps == {
        "LVM föreläsning": None,
        "Återfallsprevention": None,
        "ASI metodstöd med samskattning": None,
        "ASI grundutbildning": 4,
        "HAP": None,
    }
    assert all(f.seats is None for c in schedule.course for f in c.format)


def test_no_course_has_an_opening_date_or_link_the_source_does_not_give(
    schedule: Schedule,
) -> None:
    for course in schedule.course:
        assert course.opens is None
        assert all(f.meeting_url is None for f in course.format)


def test_waitlists_are_on(schedule: Schedule) -> None:
    assert all(c.waitlist for c in schedule.course)


# --- employers -------------------------------------------------------------------------------

MUNICIPALITIES = [
    "Alvesta",
    "Lessebo",
    "Ljungby",
    "Markaryd",
    "Tingsryd",
    "Uppvidinge",
    "Växjö",
    "Älmhult",
]


def test_employers_are_the_eight_municipalities_and_the_region(employers: Schedule) -> None:
    municipalities = [e.name for e in employers.employer if e.kind == "municipality"]
    regions = [e.name for e in employers.employer if e.kind == "region"]

    assert len(municipalities) == 8
    for town in MUNICIPALITIES:
        assert [name for name in municipalities if name.startswith(town)] != [], town
    assert all(name.endswith(" kommun") for name in municipalities)
    assert regions == ["Region Kronoberg"]
    assert employers.course == []


def test_every_employer_has_a_work_mail_domain(employers: Schedule) -> None:
    domains = {e.key: e.domains for e in employers.employer}

    assert all(domains.values())
    assert domains["vaxjo"] == ["vaxjo.se"]
    assert domains["region-kronoberg"] == ["kronoberg.se"]


def test_no_two_employers_share_a_domain(employers: Schedule) -> None:
    all_domains = [d for e in employers.employer for d in e.domains]

    assert len(all_domains) == len(set(all_domains))
