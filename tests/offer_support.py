"""A course that offers freed seats (`offer_hours`), and reading an offer back from the rows."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from courses.domain.rules import RegistrationStatus
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.importing import import_schedule
from courses.storage.courses import load_course
from courses.storage.tables import registration_table
from tests.conftest import form, local

OFFER = "erbjudande-2022"
# The first session: 14 September 2022 09.00 in Stockholm (07.00 UTC, summer time).
FIRST_START = local(2022, 9, 14, 9, 0)


def offer_course(
    *,
    seats: int = 2,
    offer_hours: int = 48,
    until_hours: int = 24,
    day: str = "2022-09-14",
    slug: str = OFFER,
) -> str:
    return f"""
[[course]]
slug = "{slug}"
title = "Erbjudandekurs"
deadline = 2022-09-01
seats = {seats}
offer_hours = {offer_hours}
offer_until_hours = {until_hours}
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = {day}
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2022-09-21
start = 09:00:00
end = 16:00:00
"""


def with_offers(toml: str, hours: int = 48) -> str:
    """Another test course's entry with `offer_hours` set."""
    return toml.replace("[[course.format]]", f"offer_hours = {hours}\n[[course.format]]", 1)


class Offer(NamedTuple):
    status: RegistrationStatus
    offered_at: datetime | None
    due_at: datetime | None
    outcome: str | None
    queue_no: int


async def offer_row(ctx: ServiceContext, registration_id: int) -> Offer:
    reg = registration_table.c
    async with ctx.db.read() as conn:
        found = (
            await conn.execute(
                select(
                    reg.status, reg.offered_at, reg.offer_due_at, reg.offer_outcome, reg.queue_no
                ).where(reg.id == registration_id)
            )
        ).one()
    return Offer(RegistrationStatus(found[0]), *found[1:])


async def seats_left(ctx: ServiceContext, slug: str = OFFER) -> int | None:
    """The course's free seats as its counter says."""
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
    assert course is not None
    return course.seats_left


async def full_offer_course(
    ctx: ServiceContext, *, waiting: int = 3, toml: str | None = None, slug: str = OFFER
) -> tuple[list[RegistrationReceipt], list[RegistrationReceipt]]:
    """The offer course (two seats) full: registrants 1-2 seated, `waiting` more queued."""
    await import_schedule(ctx, parse_schedule(toml or offer_course(slug=slug)))
    seated = [await register(ctx, slug, form(n)) for n in range(1, 3)]
    queued = [await register(ctx, slug, form(n)) for n in range(3, 3 + waiting)]
    assert {r.status for r in queued} == {RegistrationStatus.WAITLISTED}
    return seated, queued
