"""The services on one fresh database beside the model, and the reads the invariants compare.

The rows are read with direct SELECTs after every step that wrote (or tried to). A course's
listing and a registrant's view are read through the services when the model expects them to
have changed (the clock crossing a deadline, a promotion, a shorter queue), which keeps a run
short enough for both databases.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, ClassVar, TypeVar

from hypothesis.stateful import RuleBasedStateMachine

from courses.clock import FixedClock
from courses.domain.errors import DomainError
from courses.services.catalogue.listing import get_course
from courses.services.context import ServiceContext
from courses.services.registration.lookup import get_registration
from courses.settings import Settings
from tests.services.stateful_model import (
    Listing,
    Model,
    ModelRegistration,
    Refused,
    View,
    listing_of,
    view_of,
)
from tests.services.stateful_store import FreshDatabases, Snapshot, read_snapshot
from tests.services.stateful_world import START

T = TypeVar("T")


class ServicesBesideTheModel(RuleBasedStateMachine):
    """The clock, the model and a database for one example; no rules of its own."""

    databases: ClassVar[FreshDatabases]

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
        """What the catalogue shows of a course; read again when the model expects a change."""
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
