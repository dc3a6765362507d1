"""Handing one seat on is a cap like any other: forty simultaneous transfers of the same
seat, each to a different colleague, hand it on once, on SQLite and PostgreSQL. Through the
service function (the race is in the transaction, not in HTTP)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from courses.domain.rules import RegistrationStatus
from courses.services.catalogue.listing import get_course
from courses.services.context import ServiceContext
from courses.services.registration import transfer
from courses.services.registration.register import register
from courses.services.registration.transfer import (
    Colleague,
    TransferOutcome,
    transfer_registration,
)
from courses.storage import transfers
from courses.storage.tables import course_table, registration_table
from tests.concurrency.gate import ReadGate
from tests.conftest import ASI, form

pytestmark = pytest.mark.slow

RUSH = 40


async def _rush(ctx: ServiceContext) -> list[TransferOutcome | BaseException]:
    receipt = await register(ctx, ASI, form(1))
    colleagues = [
        Colleague(name=f"Kollega {n}", email=f"kollega{n}@vaxjo.se", workplace="Mottagningen")
        for n in range(RUSH)
    ]
    return list(
        await asyncio.gather(
            *(transfer_registration(ctx, receipt.token, c) for c in colleagues),
            return_exceptions=True,
        )
    )


async def _statuses(ctx: ServiceContext) -> Counter[str]:
    reg, course = registration_table.c, course_table.c
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(reg.status, func.count())
            .join(course_table, course.id == reg.course_id)
            .where(course.slug == ASI)
            .group_by(reg.status)
        )
        return Counter({status: count for status, count in rows.all()})


async def test_forty_transfers_of_one_seat_hand_it_on_once(seeded: ServiceContext) -> None:
    results = await _rush(seeded)

    handed = [r for r in results if isinstance(r, TransferOutcome)]
    assert len(handed) == 1
    assert all(not isinstance(r, Exception) or "inte längre aktiv" in str(r) for r in results)
    assert await _statuses(seeded) == {"transferred": 1, "confirmed": 1}
    assert (await get_course(seeded, ASI)).course.seats_left == 3


def _naive_hand_over(gate: ReadGate) -> Any:
    async def hand_over(
        conn: Any,
        giver_id: int,
        colleague: dict[str, Any],
        *,
        status: RegistrationStatus,
        now: Any,
    ) -> int | None:
        """The bug the guard prevents: read the giver's status, check it, then write."""
        reg = registration_table.c
        giver = (
            await conn.execute(
                select(
                    reg.status, reg.course_id, reg.format_id, reg.employer_id, reg.queue_no
                ).where(reg.id == giver_id)
            )
        ).one()
        await gate.after_read()
        if giver.status != "confirmed":
            return None
        await conn.execute(
            update(registration_table).where(reg.id == giver_id).values(status="transferred")
        )
        made = await conn.execute(
            insert(registration_table)
            .values(
                **colleague,
                course_id=giver.course_id,
                format_id=giver.format_id,
                employer_id=giver.employer_id,
                queue_no=giver.queue_no,
                status=status.value,
                replaces_id=giver_id,
                created_at=now,
                updated_at=now,
            )
            .returning(reg.id)
        )
        return int(made.scalar_one())

    return hand_over


async def test_control_without_the_lock_and_the_guard_the_same_rush_hands_it_on_twice(
    seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the race test can fail. PostgreSQL only: SQLite runs one write transaction at a
    time, so even a read-check-write inside the transaction cannot hand a seat on twice."""
    if seeded.db.is_sqlite:
        pytest.skip("SQLite serialises whole write transactions")

    async def no_lock(conn: Any, course_id: int, **_: Any) -> int:
        return 0

    monkeypatch.setattr(transfer, "lock_course", no_lock)
    monkeypatch.setattr(transfers, "hand_over", _naive_hand_over(ReadGate()))

    results = await _rush(seeded)

    assert sum(isinstance(r, TransferOutcome) for r in results) > 1
    assert (await _statuses(seeded))["confirmed"] > 1
