"""A course that offers freed seats (`offer_hours`), and reading an offer back from the rows."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from courses.domain.fair_seats import HOLDING_STATUSES as HOLDING
from courses.domain.rules import RegistrationStatus
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.importing import import_schedule
from courses.storage.courses import load_course
from courses.storage.tables import course_table, format_table, registration_table
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


def at(ctx: ServiceContext, when: datetime) -> None:
    """Set the context's clock (a FixedClock) to `when`."""
    ctx.clock.set(when)  # type: ignore[attr-defined]


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


async def seat_counters(ctx: ServiceContext, slug: str = OFFER) -> dict[str, int]:
    """The seat counters of the course and of each format (by key), checked against the rows
    that hold a seat."""
    reg, course, fmt = registration_table.c, course_table.c, format_table.c
    holding = [s.value for s in HOLDING]
    async with ctx.db.read() as conn:
        course_id, total = (
            await conn.execute(select(course.id, course.confirmed_count).where(course.slug == slug))
        ).one()
        formats = (
            await conn.execute(
                select(fmt.key, fmt.confirmed_count, func.count(reg.id))
                .outerjoin(registration_table, (reg.format_id == fmt.id) & reg.status.in_(holding))
                .where(fmt.course_id == course_id)
                .group_by(fmt.key, fmt.confirmed_count)
            )
        ).all()
    assert all(counter == rows for _, counter, rows in formats), formats
    assert total == sum(rows for _, _, rows in formats)
    return {"course": int(total)} | {key: int(counter) for key, counter, _ in formats}


async def full_offer_course(
    ctx: ServiceContext, *, waiting: int = 3, toml: str | None = None, slug: str = OFFER
) -> tuple[list[RegistrationReceipt], list[RegistrationReceipt]]:
    """The offer course (two seats) full: registrants 1-2 seated, `waiting` more queued."""
    await import_schedule(ctx, parse_schedule(toml or offer_course(slug=slug)))
    seated = [await register(ctx, slug, form(n)) for n in range(1, 3)]
    queued = [await register(ctx, slug, form(n)) for n in range(3, 3 + waiting)]
    assert {r.status for r in queued} == {RegistrationStatus.WAITLISTED}
    return seated, queued
