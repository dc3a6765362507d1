"""Registering, cancelling and the passing of time, step by step against a model of the rules.

A hypothesis state machine lets a small pool of people (some twice, in other letter cases)
register for three small courses, cancel with their tokens, and moves the injected clock across
the deadlines and first sessions, which fall around the change to summer time on Sunday
27 March 2022 (02:00 CET becomes 03:00 CEST). Every answer of the services must be the one a
plain Python model of the domain rules predicts, and after every step:

- confirmed registrations fit the seats of their course and of their format;
- where a cap is set, the stored seat counter equals the confirmed rows;
- a person (email, case-insensitive) has at most one active registration per course;
- the waitlisted registrants of a course are told positions 1..k, in queue order;
- until a course starts, nobody waits while a seat they could take is free;
- the catalogue and each registrant's own view show what the model expects.

The world, the model, the stored rows and the driver that runs the services between steps are
in the sibling modules stateful_world, stateful_model, stateful_store and stateful_driver.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from courses.domain.addresses import canonical_email
from courses.domain.errors import AlreadyRegistered, RegistrationNotFound
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from tests.conftest import BACKENDS, STOCKHOLM, form
from tests.services.stateful_driver import ServicesBesideTheModel
from tests.services.stateful_model import (
    CANCELLED,
    CONFIRMED,
    Cancelled,
    ModelRegistration,
    Refused,
    Registered,
)
from tests.services.stateful_store import (
    FreshDatabases,
    PostgresDatabases,
    SqliteDatabases,
    import_world,
)
from tests.services.stateful_world import (
    APPLICANTS,
    CLOCK_MOVES,
    COURSES,
    MOMENTS,
    OFFERINGS,
    REGULARS,
    Applicant,
    JumpToNextMoment,
    Wait,
    person,
)

# --- The state machine -----------------------------------------------------------------------


class RegistrationRules(ServicesBesideTheModel):
    """Register, cancel and let time pass; the services must answer as the model does."""

    tokens = Bundle("tokens")
    cancelled_tokens = Bundle("cancelled_tokens")

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
                receipt.id,
                receipt.token,
                course,
                fmt,
                canonical_email(applicant.email),  # stored as the mail goes: domain lowered
                receipt.status,
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
