"""A course that offers freed seats, and its offers made through the services: held for the
first person waiting, open to everyone waiting (the last window), lapsed, gone to someone else.

One seat; a freed seat is held for 48 hours, and in the last 24 hours before the first session
it is offered to everyone waiting. The dates follow a given day, so the tests' 2022 clock and
the browser site's 2027 clock can both use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.offers.expiry import lapse_due_offers
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import RegistrationForm, register
from courses.services.schedule.importing import import_schedule
from tests.conftest import local, registrant

__all__ = ["OFFER_COURSE", "OfferCourse", "add_offer_course"]

OFFER_COURSE = "erbjudandekurs"

_COURSE = """
[[course]]
slug = "{slug}"
title = "Återfallsprevention"
deadline = {deadline}
seats = 1
offer_hours = 48
offer_until_hours = 24
leaders = [{{ name = "Anna Hamle", email = "anna.hamle@kronoberg.se" }}]
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = {session}
start = 09:00:00
end = 16:00:00
"""


@dataclass(frozen=True, slots=True)
class OfferCourse:
    """The course's first session (at 9.00) and the clock that moves towards it."""

    ctx: ServiceContext
    clock: FixedClock
    session: date
    slug: str = OFFER_COURSE

    @property
    def starts_at(self) -> datetime:
        return local(self.session.year, self.session.month, self.session.day, 9, 0)

    @property
    def last_window(self) -> datetime:
        """From here a freed seat is offered to everyone waiting at once."""
        return self.starts_at - timedelta(hours=24)

    async def register(self, n: int | str, **overrides: Any) -> str:
        """A registration (a seat, or a place in the queue); its manage token."""
        form = RegistrationForm(**registrant(n, **overrides))
        receipt = await register(self.ctx, self.slug, form)
        return receipt.token

    async def held(self, *, waiting: int = 1) -> tuple[str, list[str]]:
        """The seat taken and `waiting` people waiting; the seat-holder cancels, so the first
        waiting is offered the seat (held for them). Returns the holder's and the waiting ones'
        tokens."""
        holder = await self.register("platsen")
        queue = [await self.register(f"kon{n}") for n in range(1, waiting + 1)]
        await cancel_registration(self.ctx, holder)
        return holder, queue

    async def opened(self, *, waiting: int = 2) -> list[str]:
        """Inside the last window: the seat-holder cancels and everyone waiting is told."""
        holder = await self.register("platsen")
        queue = [await self.register(f"kon{n}") for n in range(1, waiting + 1)]
        self.clock.set(self.last_window + timedelta(hours=2))
        await cancel_registration(self.ctx, holder)
        return queue

    async def lapsed(self) -> list[str]:
        """A held offer nobody answered: the worker lets it lapse; the seat goes to the next."""
        _, queue = await self.held(waiting=2)
        self.clock.set(self.clock.now() + timedelta(hours=49))
        await lapse_due_offers(self.ctx)
        return queue

    async def gone(self) -> list[str]:
        """An open offer the first accepted: the others' offers are gone."""
        queue = await self.opened(waiting=2)
        await answer_offer(self.ctx, queue[0], accept=True)
        return queue


async def add_offer_course(
    ctx: ServiceContext,
    clock: FixedClock,
    *,
    slug: str = OFFER_COURSE,
    days_ahead: int = 40,
) -> OfferCourse:
    """The course, open for registration at the clock's day, its session `days_ahead` later."""
    today = clock.now().date()
    session = today + timedelta(days=days_ahead)
    toml = _COURSE.format(
        slug=slug,
        deadline=session - timedelta(days=5),
        session=session,
    )
    await import_schedule(ctx, parse_schedule(toml.encode()))
    return OfferCourse(ctx=ctx, clock=clock, session=session, slug=slug)
