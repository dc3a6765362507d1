"""Moving people between formats is a cap like any other: twenty staff moves at once into a
format with one free seat give it to exactly one, on SQLite and PostgreSQL. Through the
service function (the race is in the transaction, not in HTTP)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, update

from courses.domain.courses import CourseRecord
from courses.domain.errors import StaffConflict
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.registration import on_behalf
from courses.services.registration.on_behalf import RegistrationOutcome, move_to_format
from courses.storage.courses import load_course
from courses.storage.schedule_sync import stored_course
from courses.storage.seats import moves
from courses.storage.tables import course_table, format_table, registration_table
from tests.concurrency.gate import ReadGate
from tests.services.admin_support import admin_of
from tests.services.moves_support import MOVE, add_move_course, in_digital, in_ljungby

pytestmark = pytest.mark.slow

RUSH = 20


async def _digital(ctx: ServiceContext) -> tuple[int, int]:
    """(confirmed registrations in the course's digital format, that format's seat counter)."""
    reg, fmt, course = registration_table.c, format_table.c, course_table.c
    async with ctx.db.read() as conn:
        format_id, counter = (
            await conn.execute(
                select(fmt.id, fmt.confirmed_count)
                .join(course_table, course.id == fmt.course_id)
                .where(course.slug == MOVE, fmt.key == "digital")
            )
        ).one()
        confirmed = await conn.execute(
            select(func.count()).where(reg.format_id == format_id, reg.status == "confirmed")
        )
        return int(confirmed.scalar_one()), int(counter)


async def _rush(ctx: ServiceContext) -> list[RegistrationOutcome | BaseException]:
    """One digital seat of two taken; RUSH people in Ljungby all moved to digital at once."""
    await add_move_course(ctx)
    await in_digital(ctx, 100)
    people = await in_ljungby(ctx, *range(1, RUSH + 1))
    admin = await admin_of(ctx)
    return list(
        await asyncio.gather(
            *(move_to_format(ctx, admin, p.id, "digital") for p in people),
            return_exceptions=True,
        )
    )


async def test_20_simultaneous_moves_into_one_free_seat_move_exactly_one(
    seeded: ServiceContext,
) -> None:
    results = await _rush(seeded)

    moved = [r for r in results if isinstance(r, RegistrationOutcome)]
    refused = [r for r in results if isinstance(r, StaffConflict)]
    assert (len(moved), len(refused)) == (1, RUSH - 1)
    assert {r.detail.split(":")[0] for r in refused} == {"Formatet är fullbokat"}
    assert await _digital(seeded) == (2, 2)


async def _unlocked_course(conn: Any, actor: Actor, slug: str) -> CourseRecord:
    """The course read without taking its row lock."""
    assert await stored_course(conn, slug) is not None
    course = await load_course(conn, slug)
    assert course is not None
    return course


def _naive_move_seat(gate: ReadGate) -> Any:
    async def move_seat(conn: Any, *, from_format_id: int | None, to_format_id: int) -> bool:
        """The bug the guard prevents: read the count, check it in Python, then write."""
        fmt = format_table.c
        taken, seats = (
            await conn.execute(select(fmt.confirmed_count, fmt.seats).where(fmt.id == to_format_id))
        ).one()
        await gate.after_read()
        if seats is not None and taken >= seats:
            return False
        await conn.execute(
            update(format_table)
            .where(fmt.id == to_format_id)
            .values(confirmed_count=fmt.confirmed_count + 1)
        )
        return True

    return move_seat


async def test_control_without_the_lock_and_the_guard_the_same_rush_oversells(
    seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the race test can fail. PostgreSQL only: SQLite runs one write transaction at a
    time, so even a read-check-write inside the transaction cannot oversell there."""
    if seeded.db.is_sqlite:
        pytest.skip("SQLite serialises whole write transactions")
    monkeypatch.setattr(on_behalf, "locked_course_for_admin", _unlocked_course)
    monkeypatch.setattr(moves, "move_seat", _naive_move_seat(ReadGate()))

    results = await _rush(seeded)

    assert sum(isinstance(r, RegistrationOutcome) for r in results) > 1
    confirmed, _ = await _digital(seeded)
    assert confirmed > 2
