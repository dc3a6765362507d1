"""What a change of a course means to its registrants: `describe_change` on plain records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

from courses.domain.courses import CourseRecord, FormatKind, FormatRecord, SessionRecord
from courses.domain.rules import CourseStatus
from courses.services.schedule.changes import describe_change

LJUNGBY = FormatRecord(
    id=1,
    key="ljungby",
    kind=FormatKind.ON_SITE,
    place="Ljungby",
    seats=None,
    meeting_url=None,
    confirmed_count=0,
)
DIGITAL = FormatRecord(
    id=2,
    key="digital",
    kind=FormatKind.DIGITAL,
    place=None,
    seats=None,
    meeting_url="https://mote.example/rum-1",
    confirmed_count=0,
)
DAY_1 = SessionRecord(
    position=1, day=date(2022, 4, 5), start_time=time(9), end_time=time(16), place=None
)
DAY_2 = SessionRecord(
    position=2, day=date(2022, 4, 6), start_time=time(9), end_time=time(16), place=None
)
COURSE = CourseRecord(
    id=1,
    slug="aterfallsprevention-2022",
    title="Återfallsprevention",
    description="Två dagar om återfallsprevention.",
    leaders=[{"name": "Sophie Andersson"}],
    deadline=date(2022, 3, 20),
    opens=None,
    seats=None,
    waitlist=True,
    info_url=None,
    status=CourseStatus.PUBLISHED,
    confirmed_count=0,
    revision=1,
    calendar_sequence=0,
    formats=[LJUNGBY, DIGITAL],
    sessions=[DAY_1, DAY_2],
)


def test_an_unchanged_course_concerns_nobody() -> None:
    change = describe_change(COURSE, COURSE)

    assert change.lines == []
    assert change.lines_by_format == {}
    assert not change.rescheduled
    assert not change.cancelled
    assert not change.concerns("ljungby")
    assert not change.concerns("digital")


def test_a_moved_session_reschedules_and_says_from_when_to_when() -> None:
    moved = replace(DAY_2, day=date(2022, 4, 7))

    change = describe_change(COURSE, replace(COURSE, sessions=[DAY_1, moved]))

    assert change.rescheduled
    assert change.lines == [
        "Kursdag 2 flyttas: onsdag 6 april 2022 kl. 09.00–16.00 → "
        "torsdag 7 april 2022 kl. 09.00–16.00."
    ]
    assert change.concerns("ljungby")
    assert change.concerns("digital")


def test_a_new_start_time_on_the_same_day_reschedules() -> None:
    later = replace(DAY_1, start_time=time(10))

    change = describe_change(COURSE, replace(COURSE, sessions=[later, DAY_2]))

    assert change.rescheduled
    assert change.lines == [
        "Kursdag 1 flyttas: tisdag 5 april 2022 kl. 09.00–16.00 → "
        "tisdag 5 april 2022 kl. 10.00–16.00."
    ]


def test_a_session_becoming_all_day_reschedules() -> None:
    all_day = replace(DAY_1, start_time=None, end_time=None)

    change = describe_change(COURSE, replace(COURSE, sessions=[all_day, DAY_2]))

    assert change.rescheduled
    assert change.lines == [
        "Kursdag 1 flyttas: tisdag 5 april 2022 kl. 09.00–16.00 → tisdag 5 april 2022 (heldag)."
    ]


def test_a_new_place_of_a_format_is_told_only_to_that_formats_registrants() -> None:
    alvesta = replace(LJUNGBY, place="Alvesta")

    change = describe_change(COURSE, replace(COURSE, formats=[alvesta, DIGITAL]))

    assert change.rescheduled
    assert change.lines == []
    assert change.lines_by_format == {
        "ljungby": [
            "Kursdag 1, plats: Ljungby → Alvesta",
            "Kursdag 2, plats: Ljungby → Alvesta",
        ]
    }
    assert change.concerns("ljungby")
    assert not change.concerns("digital")


def test_a_place_set_on_one_session_concerns_the_on_site_format_for_that_day() -> None:
    elsewhere = replace(DAY_2, place="Vårdcentralen, Ljungby")

    change = describe_change(COURSE, replace(COURSE, sessions=[DAY_1, elsewhere]))

    assert change.rescheduled
    assert change.lines_by_format == {
        "ljungby": ["Kursdag 2, plats: Ljungby → Vårdcentralen, Ljungby"]
    }
    assert not change.concerns("digital")


def test_a_new_meeting_link_is_told_only_to_the_digital_formats_registrants() -> None:
    new_link = replace(DIGITAL, meeting_url="https://mote.example/rum-2")

    change = describe_change(COURSE, replace(COURSE, formats=[LJUNGBY, new_link]))

    assert change.rescheduled
    assert change.lines == []
    assert change.lines_by_format == {
        "digital": [
            "Kursdag 1, möteslänk: https://mote.example/rum-1 → https://mote.example/rum-2",
            "Kursdag 2, möteslänk: https://mote.example/rum-1 → https://mote.example/rum-2",
        ]
    }
    assert change.concerns("digital")
    assert not change.concerns("ljungby")
    assert all("mote.example" not in line for line in change.lines_for("ljungby"))


def test_a_meeting_link_given_for_the_first_time_replaces_later_notice() -> None:
    no_link = replace(DIGITAL, meeting_url=None)
    before = replace(COURSE, formats=[LJUNGBY, no_link])

    change = describe_change(before, COURSE)

    assert change.lines_by_format["digital"][0] == (
        "Kursdag 1, möteslänk: meddelas senare → https://mote.example/rum-1"
    )


def test_lines_for_a_format_are_the_common_lines_then_its_own() -> None:
    after = replace(
        COURSE, title="Återfallsprevention (ÅP)", formats=[replace(LJUNGBY, place="Växjö")]
    )

    change = describe_change(COURSE, after)

    assert change.lines_for("ljungby") == [
        "Kursen heter nu Återfallsprevention (ÅP) (tidigare Återfallsprevention).",
        "Kursdag 1, plats: Ljungby → Växjö",
        "Kursdag 2, plats: Ljungby → Växjö",
    ]
    assert change.lines_for(None) == change.lines


def test_a_new_title_is_told_without_rescheduling() -> None:
    change = describe_change(COURSE, replace(COURSE, title="Återfallsprevention, grund"))

    assert not change.rescheduled
    assert change.lines == [
        "Kursen heter nu Återfallsprevention, grund (tidigare Återfallsprevention)."
    ]
    assert change.concerns("ljungby")
    assert change.concerns("digital")


def test_new_leaders_are_told_without_rescheduling() -> None:
    leaders = [{"name": "Anna Hamle"}, {"name": "Sophie Andersson"}]

    change = describe_change(COURSE, replace(COURSE, leaders=leaders))

    assert not change.rescheduled
    assert change.lines == ["Kursledare: Anna Hamle, Sophie Andersson."]


def test_a_new_description_concerns_nobody() -> None:
    change = describe_change(COURSE, replace(COURSE, description="En helt ny beskrivning."))

    assert change.lines == []
    assert change.lines_by_format == {}
    assert not change.rescheduled
    assert not change.concerns("ljungby")
    assert not change.concerns("digital")


def test_a_new_deadline_seats_or_info_link_concern_nobody() -> None:
    after = replace(
        COURSE, deadline=date(2022, 3, 27), seats=12, info_url="https://kronoberg.example/ap"
    )

    change = describe_change(COURSE, after)

    assert not change.rescheduled
    assert not change.concerns("ljungby")
    assert not change.concerns("digital")


def test_a_cancelled_course_is_cancelled_and_rescheduled_for_everyone() -> None:
    change = describe_change(COURSE, replace(COURSE, status=CourseStatus.CANCELLED))

    assert change.cancelled
    assert change.rescheduled
    assert change.lines == ["Kursen är inställd."]
    assert change.concerns("ljungby")
    assert change.concerns("digital")
    assert change.concerns(None)


def test_a_course_that_stays_cancelled_is_not_cancelled_again() -> None:
    cancelled = replace(COURSE, status=CourseStatus.CANCELLED)

    change = describe_change(cancelled, cancelled)

    assert not change.cancelled
    assert not change.rescheduled
    assert not change.concerns("ljungby")


def test_a_reopened_course_is_rescheduled_and_says_it_takes_place() -> None:
    cancelled = replace(COURSE, status=CourseStatus.CANCELLED)

    change = describe_change(cancelled, COURSE)

    assert not change.cancelled
    assert change.rescheduled
    assert change.lines == ["Kursen blir av igen."]
    assert change.concerns("digital")


def test_an_added_session_reschedules_and_is_announced() -> None:
    day_3 = SessionRecord(
        position=3, day=date(2022, 4, 12), start_time=None, end_time=None, place=None
    )

    change = describe_change(COURSE, replace(COURSE, sessions=[DAY_1, DAY_2, day_3]))

    assert change.rescheduled
    assert change.removed == []
    assert change.lines == ["Ny kursdag 3: tisdag 12 april 2022 (heldag)."]


def test_a_removed_session_reschedules_and_is_listed_as_removed() -> None:
    change = describe_change(COURSE, replace(COURSE, sessions=[DAY_1]))

    assert change.rescheduled
    assert change.removed == [DAY_2]
    assert change.lines == ["Kursdag 2 (onsdag 6 april 2022 kl. 09.00–16.00) utgår."]
    assert change.concerns("ljungby")
    assert change.concerns("digital")
