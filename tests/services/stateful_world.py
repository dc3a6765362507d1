"""The world of the stateful test: three small courses around the change to summer time.

The deadlines and first sessions fall around Sunday 27 March 2022, when 02:00 CET becomes
03:00 CEST. Beside the schedule: what the model knows of each course, worked out by hand, the
people who fill in the form, what they ask for, and how the clock may move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from hypothesis import strategies as st

from courses.schedule import Schedule, load_schedule, parse_schedule
from tests.conftest import SEEDS, local

WORLD = """
[[course]]
slug = "kbt"
title = "KBT steg 1"
deadline = 2022-03-27            # the day clocks go forward: only 23 hours long
seats = 3
[[course.format]]
key = "ljungby"
kind = "on_site"
place = "Ljungby"
seats = 1
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-03-28
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2022-04-04
start = 09:00:00
end = 16:00:00

[[course]]
slug = "asi"
title = "ASI-seminarium"
deadline = 2022-03-25
seats = 2
waitlist = false
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-03-27                # 09:00 summer time, hours after the change
start = 09:00:00
end = 12:00:00

[[course]]
slug = "cra"
title = "CRA-föreläsning"
opens = 2022-03-20
deadline = 2022-03-26
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]               # listed out of order: the earliest session is the first
date = 2022-04-01
[[course.session]]
date = 2022-03-27                # all day, so it starts at 00:00 local time
"""

SCHEDULE = Schedule(
    employer=load_schedule(SEEDS / "employers.toml").employer,
    course=parse_schedule(WORLD, source="world").course,
)


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CourseRules:
    """What the model knows of a course. The instants are worked out by hand, in UTC."""

    seats: int | None
    formats: dict[str, int | None]  # format key -> its own seats (None: uncapped)
    waitlist: bool
    opens_at: datetime | None
    closes_at: datetime  # 00:00 local time the day after the deadline
    starts_at: datetime  # the start of the first session


COURSES: dict[str, CourseRules] = {
    "kbt": CourseRules(
        seats=3,
        formats={"ljungby": 1, "digital": None},
        waitlist=True,
        opens_at=None,
        closes_at=utc(2022, 3, 27, 22),  # 2022-03-28 00:00 CEST
        starts_at=utc(2022, 3, 28, 7),  # 2022-03-28 09:00 CEST
    ),
    "asi": CourseRules(
        seats=2,
        formats={"vaxjo": None},
        waitlist=False,
        opens_at=None,
        closes_at=utc(2022, 3, 25, 23),  # 2022-03-26 00:00 CET
        starts_at=utc(2022, 3, 27, 7),  # 2022-03-27 09:00 CEST
    ),
    "cra": CourseRules(
        seats=None,
        formats={"digital": None},
        waitlist=True,
        opens_at=utc(2022, 3, 19, 23),  # 2022-03-20 00:00 CET
        closes_at=utc(2022, 3, 26, 23),  # 2022-03-27 00:00 CET
        starts_at=utc(2022, 3, 26, 23),  # all day 2022-03-27, from 00:00 CET
    ),
}

START = local(2022, 3, 19, 18, 0)  # "cra" is not open yet; the others are

MOMENTS: dict[str, datetime] = {
    "cra opens": utc(2022, 3, 19, 23),
    "asi closes": COURSES["asi"].closes_at,
    "cra closes and starts": COURSES["cra"].closes_at,
    "asi starts": COURSES["asi"].starts_at,
    "kbt closes": COURSES["kbt"].closes_at,
    "kbt starts": COURSES["kbt"].starts_at,
}


class Applicant(NamedTuple):
    """One filled-in form; `eligible` is what the rules say about it, decided by hand."""

    email: str
    employer: str
    eligible: bool
    works_in_field: bool = True


APPLICANTS = [
    Applicant("Anna@vaxjo.se", "vaxjo", eligible=True),
    Applicant("Asa.Lind@kronoberg.se", "region-kronoberg", eligible=True),
    Applicant("bo@soc.ljungby.se", "ljungby", eligible=True),  # a subdomain counts
    Applicant("anna@VAXJO.se", "vaxjo", eligible=True),
    Applicant("cem@alvesta.se", "alvesta", eligible=True),
    Applicant("eli@markaryd.se", "vaxjo", eligible=False),  # not the chosen employer's domain
    Applicant("dana@almhult.se", "almhult", eligible=True),
    Applicant("asa.lind@KRONOBERG.SE", "region-kronoberg", eligible=True),
    Applicant("Cem@Alvesta.se", "alvesta", eligible=False, works_in_field=False),
    Applicant("eli@markaryd.se", "markaryd", eligible=True),
    Applicant("fia@tingsryd.se", "tingsryd", eligible=True),
]

# (course, format asked for); None leaves the format out. Repeats make "kbt" more likely.
OFFERINGS: list[tuple[str, str | None]] = [
    ("kbt", "digital"),
    ("kbt", "ljungby"),
    ("asi", None),
    ("kbt", "digital"),
    ("cra", None),
    ("kbt", None),  # two formats: the registrant must choose
    ("kbt", "ljungby"),
    ("cra", "ljungby"),  # not a format of this course
    ("asi", "vaxjo"),
    ("kbt", "digital"),
]


# Who registers for "kbt" first, in some order. In this order Anna takes Ljungby's only seat,
# Bo waits for Ljungby although the course has room, Åsa and Cem take the digital seats and
# Dana waits behind Bo.
REGULARS = [
    (Applicant("Anna@vaxjo.se", "vaxjo", eligible=True), "ljungby"),
    (Applicant("bo@soc.ljungby.se", "ljungby", eligible=True), "ljungby"),
    (Applicant("Asa.Lind@kronoberg.se", "region-kronoberg", eligible=True), "digital"),
    (Applicant("cem@alvesta.se", "alvesta", eligible=True), "digital"),
    (Applicant("dana@almhult.se", "almhult", eligible=True), "digital"),
]


class Wait(NamedTuple):
    minutes: int


class JumpToNextMoment(NamedTuple):
    """To just before (-1), at (0) or just after (+1) the next moment in MOMENTS."""

    seconds: int


CLOCK_MOVES = st.sampled_from(
    [
        Wait(1),
        Wait(60),
        Wait(9 * 60),
        JumpToNextMoment(-1),
        Wait(1),
        JumpToNextMoment(0),
        Wait(60),
        JumpToNextMoment(1),
    ]
)


def person(email: str) -> str:
    """Whose address it is: the same address in any letter case is the same person."""
    return email.casefold()
