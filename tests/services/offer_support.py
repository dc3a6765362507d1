"""A course that offers freed seats, for the staff side's offer and transfer tests: ASI
grundutbildning (four seats, first session 14 September 2022) imported again with
`offer_hours`, then filled."""

from __future__ import annotations

import msgspec

from courses.schedule import Schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationReceipt
from courses.services.registration.transfer import Colleague
from courses.services.schedule.export import stored_schedule
from courses.services.schedule.importing import import_schedule
from tests.conftest import ASI, fill_asi
from tests.services.admin_support import admin_of

__all__ = ["colleague", "offering_asi"]


async def offering_asi(
    ctx: ServiceContext, *, hours: int = 48, waiting: int = 2
) -> tuple[list[RegistrationReceipt], list[RegistrationReceipt]]:
    """ASI with `offer_hours = hours`, full (registrants 1-4), `waiting` on its waitlist."""
    stored = await stored_schedule(ctx, await admin_of(ctx))
    asi = next(c for c in stored.course if c.slug == ASI)
    offering = msgspec.structs.replace(asi, offer_hours=hours)
    await import_schedule(ctx, Schedule(organizer=stored.organizer, course=[offering]))
    return await fill_asi(ctx, waiting=waiting)


def colleague(n: int = 9) -> Colleague:
    """A colleague at the same employer (Växjö) to hand a seat to."""
    return Colleague(name=f"Kollega {n}", email=f"kollega{n}@vaxjo.se", workplace="Mottagningen")
