"""The domain rules as plain Python, and the answers the services are compared with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

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
from courses.services.catalogue.listing import CourseListing
from courses.services.registration.lookup import RegistrationDetails
from tests.services.stateful_world import COURSES, Applicant, person

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


class Refused(NamedTuple):
    error: type[DomainError]


class Registered(NamedTuple):
    status: RegistrationStatus
    waitlist_position: int | None


class Cancelled(NamedTuple):
    promoted: tuple[int, ...]  # registration ids, in queue order


class Listing(NamedTuple):
    """What the catalogue shows of a course."""

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
    """The domain rules as plain Python, over registrations in the order they were made."""

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
