"""Registering, cancelling and the passing of time, step by step against a model of the rules.

A hypothesis state machine lets a small pool of people (some twice, in other letter cases)
register for three small courses, cancel with their tokens, and moves the injected clock across
the deadlines and first sessions, which fall around the change to summer time on Sunday
27 March 2022 (02:00 CET becomes 03:00 CEST). Every answer of the services must be the one a
plain Python model of the rules in DESIGN.md predicts, and after every step:

- confirmed registrations fit the seats of their course and of their format;
- where a cap is set, the stored seat counter equals the confirmed rows;
- a person (email, case-insensitive) has at most one active registration per course;
- the waitlisted registrants of a course are told positions 1..k, in queue order;
- until a course starts, nobody waits while a seat they could take is free;
- the catalog and each registrant's own view show what the model expects.

The rows are read with direct SELECTs after every step that wrote (or tried to). A course's
listing and a registrant's view are read through the services when the model expects them to
have changed (the clock crossing a deadline, a promotion, a shorter queue), which keeps a run
short enough for both databases.
"""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

import pytest
from hypothesis import Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, text

from courses.clock import FixedClock
from courses.domain.errors import (
    AlreadyRegistered,
    CourseFull,
    DomainError,
    InvalidInput,
    NotEligible,
    NotYetOpen,
    RegistrationClosed,
    RegistrationNotFound,
)
from courses.domain.rules import RegistrationState, RegistrationStatus
from courses.schedule import Schedule, load_schedule, parse_schedule
from courses.services.catalog import CourseListing, get_course
from courses.services.context import ServiceContext
from courses.services.lookup import RegistrationDetails, get_registration
from courses.services.registration import cancel_registration, register
from courses.services.schedule_import import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.tables import course_table, format_table, metadata, registration_table
from tests.conftest import BACKENDS, SEEDS, STOCKHOLM, form, local

T = TypeVar("T")

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED

# --- The world: three small courses around the change to summer time ------------------------

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
    Applicant("Åsa.Lind@kronoberg.se", "region-kronoberg", eligible=True),
    Applicant("bo@soc.ljungby.se", "ljungby", eligible=True),  # a subdomain counts
    Applicant("anna@VAXJO.se", "vaxjo", eligible=True),
    Applicant("cem@alvesta.se", "alvesta", eligible=True),
    Applicant("eli@markaryd.se", "vaxjo", eligible=False),  # not the chosen employer's domain
    Applicant("dana@almhult.se", "almhult", eligible=True),
    Applicant("åsa.lind@KRONOBERG.SE", "region-kronoberg", eligible=True),
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
    (Applicant("Åsa.Lind@kronoberg.se", "region-kronoberg", eligible=True), "digital"),
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


# --- The model -------------------------------------------------------------------------------


class Refused(NamedTuple):
    error: type[DomainError]


class Registered(NamedTuple):
    status: RegistrationStatus
    waitlist_position: int | None


class Cancelled(NamedTuple):
    promoted: tuple[int, ...]  # registration ids, in queue order


class Listing(NamedTuple):
    """What the catalog shows of a course."""

    state: RegistrationState
    seats_left: int | None
    format_seats_left: dict[str, int | None]


class View(NamedTuple):
    """What a registrant sees of their registration."""

    status: RegistrationStatus
    waitlist_position: int | None
    format: str
    can_cancel: bool


@dataclass(slots=True)
class ModelRegistration:
    id: int
    token: str
    course: str
    format: str
    email: str
    status: RegistrationStatus


@dataclass(slots=True)
class Model:
    """The rules of DESIGN.md as plain Python, over registrations in the order they were made."""

    now: datetime
    registrations: list[ModelRegistration] = field(default_factory=list)

    def by_token(self, token: str) -> ModelRegistration | None:
        return next((r for r in self.registrations if r.token == token), None)

    def of(self, course: str, *statuses: RegistrationStatus) -> list[ModelRegistration]:
        return [r for r in self.registrations if r.course == course and r.status in statuses]

    def waiting(self, course: str) -> list[ModelRegistration]:
        """The waitlist, in queue order (the order of registering)."""
        return self.of(course, WAITLISTED)

    def seats_left(self, course: str, fmt: str | None = None) -> int | None:
        rules = COURSES[course]
        cap = rules.seats if fmt is None else rules.formats[fmt]
        taken = sum(1 for r in self.of(course, CONFIRMED) if fmt in (None, r.format))
        return None if cap is None else max(cap - taken, 0)

    def has_room(self, course: str, fmt: str) -> bool:
        return all(
            left is None or left > 0
            for left in (self.seats_left(course), self.seats_left(course, fmt))
        )

    def is_open(self, course: str) -> bool:
        rules = COURSES[course]
        return rules.opens_at is None or self.now >= rules.opens_at

    def is_closed(self, course: str) -> bool:
        return self.now >= COURSES[course].closes_at or self.has_started(course)

    def has_started(self, course: str) -> bool:
        return self.now >= COURSES[course].starts_at

    def register(
        self, applicant: Applicant, course: str, asked: str | None
    ) -> Refused | Registered:
        """The answer to a registration; refusals in the order the service documents: the
        calendar, eligibility, the format, then what the course's registrations allow."""
        rules = COURSES[course]
        if not self.is_open(course):
            return Refused(NotYetOpen)
        if self.is_closed(course):
            return Refused(RegistrationClosed)
        if not applicant.eligible:
            return Refused(NotEligible)
        if (asked is None and len(rules.formats) > 1) or asked not in (None, *rules.formats):
            return Refused(InvalidInput)
        if any(
            person(r.email) == person(applicant.email)
            for r in self.of(course, CONFIRMED, WAITLISTED)
        ):
            # Before "full": a registered person is told they are, not that the course is full.
            return Refused(AlreadyRegistered)
        fmt = asked or next(iter(rules.formats))
        if self.has_room(course, fmt):
            return Registered(CONFIRMED, None)
        if rules.waitlist:
            return Registered(WAITLISTED, len(self.waiting(course)) + 1)
        return Refused(CourseFull)

    def cancel(self, token: str) -> Refused | Cancelled:
        """The answer to a cancellation, applied to the model: the seat goes to the first in
        the queue whose format has room, and so on while seats are free."""
        found = self.by_token(token)
        if found is None or found.status is CANCELLED:
            return Refused(RegistrationNotFound)
        if self.has_started(found.course):
            return Refused(RegistrationClosed)
        was, found.status = found.status, CANCELLED
        if was is not CONFIRMED:
            return Cancelled(())
        promoted: list[int] = []
        for waiting in self.waiting(found.course):
            if self.has_room(found.course, waiting.format):
                waiting.status = CONFIRMED
                promoted.append(waiting.id)
        return Cancelled(tuple(promoted))

    def listing(self, course: str) -> Listing:
        rules = COURSES[course]
        if not self.is_open(course):
            state = RegistrationState.NOT_YET_OPEN
        elif self.is_closed(course):
            state = RegistrationState.CLOSED
        elif any(self.has_room(course, fmt) for fmt in rules.formats):
            state = RegistrationState.OPEN
        else:
            state = RegistrationState.WAITLIST if rules.waitlist else RegistrationState.CLOSED
        seats = {fmt: self.seats_left(course, fmt) for fmt in rules.formats}
        return Listing(state, self.seats_left(course), seats)

    def view(self, registration: ModelRegistration) -> View:
        queue = self.waiting(registration.course)
        position = queue.index(registration) + 1 if registration in queue else None
        can_cancel = registration.status is not CANCELLED and not self.has_started(
            registration.course
        )
        return View(registration.status, position, registration.format, can_cancel)


def listing_of(shown: CourseListing) -> Listing:
    seats = {f.key: f.seats_left for f in shown.course.formats}
    return Listing(shown.state, shown.course.seats_left, seats)


def view_of(details: RegistrationDetails) -> View:
    assert details.format is not None
    return View(details.status, details.waitlist_position, details.format.key, details.can_cancel)


# --- What the database holds -----------------------------------------------------------------


class StoredRegistration(NamedTuple):
    id: int
    course: str
    format: str | None
    email: str
    status: str
    queue_no: int


class StoredSeats(NamedTuple):
    seats: int | None
    confirmed_count: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    registrations: list[StoredRegistration]  # by course, in queue order
    courses: dict[str, StoredSeats]
    formats: dict[tuple[str, str], StoredSeats]

    def confirmed(self, course: str, fmt: str | None = None) -> int:
        return sum(
            1
            for r in self.registrations
            if r.course == course and r.status == CONFIRMED and fmt in (None, r.format)
        )

    def has_room(self, course: str, fmt: str) -> bool:
        course_seats, fmt_seats = self.courses[course], self.formats[(course, fmt)]
        return (course_seats.seats is None or self.confirmed(course) < course_seats.seats) and (
            fmt_seats.seats is None or self.confirmed(course, fmt) < fmt_seats.seats
        )

    def waiting(self, course: str) -> list[StoredRegistration]:
        return [r for r in self.registrations if r.course == course and r.status == WAITLISTED]


async def read_snapshot(db: Database) -> Snapshot:
    reg, course, fmt = registration_table.c, course_table.c, format_table.c
    async with db.read() as conn:
        registrations = await conn.execute(
            select(reg.id, course.slug, fmt.key, reg.email, reg.status, reg.queue_no)
            .join(course_table, course.id == reg.course_id)
            .outerjoin(format_table, fmt.id == reg.format_id)
            .order_by(course.slug, reg.queue_no, reg.id)
        )
        courses = await conn.execute(select(course.slug, course.seats, course.confirmed_count))
        formats = await conn.execute(
            select(course.slug, fmt.key, fmt.seats, fmt.confirmed_count).join(
                course_table, course.id == fmt.course_id
            )
        )
        return Snapshot(
            registrations=[StoredRegistration(*row) for row in registrations],
            courses={slug: StoredSeats(seats, n) for slug, seats, n in courses},
            formats={(slug, key): StoredSeats(seats, n) for slug, key, seats, n in formats},
        )


# --- A fresh database for each example -------------------------------------------------------


async def import_world(db: Database) -> Database:
    ctx = ServiceContext(db=db, clock=FixedClock(START), settings=Settings())
    await import_schedule(ctx, SCHEDULE)
    return db


class FreshDatabases(Protocol):
    async def open(self) -> Database:
        """A database that holds the world (the seeded employers and three courses) only."""
        ...


@dataclass(slots=True)
class SqliteDatabases:
    """A copy of a file with the world imported, made once from the migrated template."""

    template: Path
    folder: Path
    world: Path | None = None

    async def open(self) -> Database:
        if self.world is None:
            self.world = self.folder / "world.db"
            shutil.copy(self.template, self.world)
            await (await import_world(Database.from_url(f"sqlite:///{self.world}"))).dispose()
        path = self.folder / "example.db"
        for leftover in (path, path.with_name("example.db-wal"), path.with_name("example.db-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copy(self.world, path)
        return Database.from_url(f"sqlite:///{path}")


@dataclass(slots=True)
class PostgresDatabases:
    """The session's migrated database, emptied and given the world again."""

    url: str

    async def open(self) -> Database:
        db = Database.from_url(self.url)
        tables = ", ".join(t.name for t in metadata.sorted_tables)
        async with db.engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return await import_world(db)


# --- The state machine -----------------------------------------------------------------------


class RegistrationRules(RuleBasedStateMachine):
    """Register, cancel and let time pass; the services must answer as the model does."""

    databases: ClassVar[FreshDatabases]
    tokens = Bundle("tokens")
    cancelled_tokens = Bundle("cancelled_tokens")

    def __init__(self) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.clock = FixedClock(START)
        self.model = Model(now=START)
        self.wrote = True  # the last step wrote to the database, or tried to
        self._snapshot: Snapshot | None = None
        # What the services showed when last read, and what the model expected then.
        self._listings: dict[str, tuple[Listing, Listing]] = {}
        self._views: dict[str, tuple[View, View]] = {}
        try:
            self.db = self.run(self.databases.open())
            self.ctx = ServiceContext(db=self.db, clock=self.clock, settings=Settings())
        except BaseException:
            self.runner.close()
            raise

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(work)

    def answer(self, work: Coroutine[Any, Any, T]) -> T | Refused:
        """What a service returned, or the refusal it raised."""
        try:
            return self.run(work)
        except DomainError as refused:
            return Refused(type(refused))

    def teardown(self) -> None:
        try:
            self.run(self.db.dispose())
        finally:
            self.runner.close()

    def _step(self, *, wrote: bool) -> None:
        self.wrote = wrote
        self._snapshot = None

    @property
    def snapshot(self) -> Snapshot:
        """The stored rows after this step, read with direct SELECTs."""
        if self._snapshot is None:
            self._snapshot = self.run(read_snapshot(self.db))
        return self._snapshot

    def listing(self, course: str) -> Listing:
        """What the catalog shows of a course; read again when the model expects a change."""
        expected = self.model.listing(course)
        shown = self._listings.get(course)
        if shown is None or shown[1] != expected:
            shown = (listing_of(self.run(get_course(self.ctx, course))), expected)
            self._listings[course] = shown
        return shown[0]

    def view(self, registration: ModelRegistration) -> View:
        """What a registrant sees; read again when the model expects a change."""
        expected = self.model.view(registration)
        seen = self._views.get(registration.token)
        if seen is None or seen[1] != expected:
            seen = (view_of(self.run(get_registration(self.ctx, registration.token))), expected)
            self._views[registration.token] = seen
        return seen[0]

    # --- Rules ---

    @initialize(target=tokens, crowd=st.permutations(REGULARS))
    def the_regulars_register_for_kbt(self, crowd: list[tuple[Applicant, str]]) -> Any:
        """Every example starts with "kbt" full and two people waiting, in some order."""
        receipts = [self.register(applicant, ("kbt", fmt)) for applicant, fmt in crowd]
        return multiple(*(token for token in receipts if isinstance(token, str)))

    @rule(target=tokens, applicant=st.sampled_from(APPLICANTS), offering=st.sampled_from(OFFERINGS))
    def register(self, applicant: Applicant, offering: tuple[str, str | None]) -> Any:
        self._step(wrote=True)
        course, asked = offering
        expected = self.model.register(applicant, course, asked)
        filled_in = form(
            email=applicant.email,
            employer=applicant.employer,
            works_in_field=applicant.works_in_field,
            format=asked,
        )
        receipt = self.answer(register(self.ctx, course, filled_in))
        if isinstance(receipt, Refused):
            assert receipt == expected
            return multiple()
        assert Registered(receipt.status, receipt.waitlist_position) == expected
        fmt = asked or next(iter(COURSES[course].formats))
        self.model.registrations.append(
            ModelRegistration(
                receipt.id, receipt.token, course, fmt, applicant.email, receipt.status
            )
        )
        return receipt.token

    @rule(target=cancelled_tokens, token=consumes(tokens))
    def cancel(self, token: str) -> Any:
        self._step(wrote=True)
        expected = self.model.cancel(token)
        promoted = self.answer(cancel_registration(self.ctx, token))
        if isinstance(promoted, Refused):
            assert promoted == expected
            return multiple()
        assert Cancelled(tuple(promoted)) == expected
        return token

    @precondition(lambda self: bool(self.model.of("kbt", CONFIRMED)))
    @rule(target=cancelled_tokens, which=st.integers(0, 2))
    def someone_with_a_seat_in_kbt_cancels(self, which: int) -> Any:
        """Seats changing hands drive the waitlist, so seats are also cancelled on purpose."""
        seated = self.model.of("kbt", CONFIRMED)
        registration = seated[which % len(seated)]
        note(f"{registration.email} cancels their {registration.format} seat in kbt.")
        return self.cancel(registration.token)

    @rule(token=cancelled_tokens)
    def cancel_with_a_used_or_made_up_token(self, token: str) -> None:
        self._step(wrote=True)
        for leads_nowhere in (token, "no-such-token"):
            expected = self.model.cancel(leads_nowhere)
            assert expected == Refused(RegistrationNotFound)
            assert self.answer(cancel_registration(self.ctx, leads_nowhere)) == expected

    @rule(move=CLOCK_MOVES)
    def move_the_clock(self, move: Wait | JumpToNextMoment) -> None:
        """Forward only: after the last moment, jumps leave the clock where it is."""
        self._step(wrote=False)
        now = self.model.now
        if isinstance(move, Wait):
            at = now + timedelta(minutes=move.minutes)
        else:
            offset = timedelta(seconds=move.seconds)
            at = min((m + offset for m in MOMENTS.values() if m + offset > now), default=now)
        self.model.now = at
        self.clock.set(at)
        note(f"The clock shows {at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M:%S %Z}.")

    # --- Invariants of the stored rows, after every step that wrote ---

    @precondition(lambda self: self.wrote)
    @invariant()
    def the_database_holds_the_models_registrations_in_queue_order(self) -> None:
        stored = [
            (r.id, r.course, r.format, r.email, r.status) for r in self.snapshot.registrations
        ]
        in_queue_order = sorted(self.model.registrations, key=lambda r: r.course)
        expected = [(r.id, r.course, r.format, r.email, r.status.value) for r in in_queue_order]
        assert stored == expected

    @precondition(lambda self: self.wrote)
    @invariant()
    def confirmed_registrations_fit_the_seats(self) -> None:
        for course, stored in self.snapshot.courses.items():
            if stored.seats is not None:
                assert self.snapshot.confirmed(course) <= stored.seats, course
        for (course, fmt), stored in self.snapshot.formats.items():
            if stored.seats is not None:
                assert self.snapshot.confirmed(course, fmt) <= stored.seats, (course, fmt)

    @precondition(lambda self: self.wrote)
    @invariant()
    def stored_seat_counters_equal_the_confirmed_rows(self) -> None:
        """Where a cap is set; uncapped rows keep no count (see courses/storage/seats.py)."""
        for course, stored in self.snapshot.courses.items():
            if stored.seats is not None:
                assert stored.confirmed_count == self.snapshot.confirmed(course), course
        for (course, fmt), stored in self.snapshot.formats.items():
            if stored.seats is not None:
                assert stored.confirmed_count == self.snapshot.confirmed(course, fmt), (course, fmt)

    @precondition(lambda self: self.wrote)
    @invariant()
    def a_person_has_one_active_registration_per_course(self) -> None:
        active = Counter(
            (r.course, person(r.email))
            for r in self.snapshot.registrations
            if r.status != CANCELLED
        )
        assert all(n == 1 for n in active.values()), active

    @precondition(lambda self: self.wrote)
    @invariant()
    def nobody_waits_beside_a_free_seat_until_the_course_starts(self) -> None:
        for course in COURSES:
            if not self.model.has_started(course):
                for waiting in self.snapshot.waiting(course):
                    assert waiting.format is not None
                    assert not self.snapshot.has_room(course, waiting.format), waiting

    @precondition(lambda self: self.wrote)
    @invariant()
    def waitlisted_registrants_are_told_positions_one_to_k_in_queue_order(self) -> None:
        by_id = {r.id: r for r in self.model.registrations}
        for course in COURSES:
            queue = self.snapshot.waiting(course)  # in queue order
            positions = [self.view(by_id[r.id]).waitlist_position for r in queue]
            assert positions == list(range(1, len(queue) + 1)), course

    # --- What the services show ---

    @invariant()
    def the_catalog_shows_each_course_as_the_model_does(self) -> None:
        for course in COURSES:
            assert self.listing(course) == self.model.listing(course), course

    @invariant()
    def each_registrant_sees_their_registration_as_the_model_does(self) -> None:
        for registration in self.model.registrations:
            assert self.view(registration) == self.model.view(registration), registration


# --- The tests -------------------------------------------------------------------------------

# No `explain` phase: it traces every line while shrinking, which makes shrinking a failure
# through SQLAlchemy several times slower.
RUN = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> FreshDatabases:
    if request.param == "sqlite":
        return SqliteDatabases(request.getfixturevalue("sqlite_template"), tmp_path)
    return PostgresDatabases(request.getfixturevalue("postgres_database"))


def test_registering_cancelling_and_time_follow_the_rules(databases: FreshDatabases) -> None:
    class OnThisDatabase(RegistrationRules):
        pass

    OnThisDatabase.databases = databases
    run_state_machine_as_test(OnThisDatabase, settings=RUN)


async def test_a_registered_person_is_told_so_even_when_the_course_is_full(
    ctx: ServiceContext,
) -> None:
    await import_world(ctx.db)
    await register(ctx, "asi", form(email="Anna@vaxjo.se"))
    await register(ctx, "asi", form(email="cem@alvesta.se", employer="alvesta"))

    with pytest.raises(AlreadyRegistered):
        await register(ctx, "asi", form(email="anna@VAXJO.se"))
