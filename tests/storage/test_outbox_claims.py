"""The outbox statements: claims, leases and outcomes, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.notices import Method, OutboxStatus
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.storage import outbox
from courses.storage.outbox import NewMail
from courses.storage.payloads import Confirmed, Payload, Reminder, Waitlisted
from courses.storage.tables import outbox_table
from tests.conftest import form

T0 = datetime(2022, 3, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
LVM = "lvm-forelasning-2022"  # one session, uncapped: one confirmation row per registration


@pytest.fixture
async def registration_ids(seeded: ServiceContext) -> list[int]:
    """Two registrations to hang outbox rows on, with the outbox emptied of their own mails."""
    ids = [(await register(seeded, LVM, form(n))).id for n in (1, 2)]
    async with seeded.db.write() as conn:
        await conn.execute(delete(outbox_table))
    return ids


async def put(
    ctx: ServiceContext, registration_id: int, *, at: datetime, payload: Payload | None = None
) -> int:
    """Queue one row (a reminder, unless told) available from `at`; its id."""
    async with ctx.db.write() as conn:
        await outbox.enqueue(conn, [NewMail(registration_id, payload or Reminder())], now=at)
        newest = await conn.execute(select(func.max(outbox_table.c.id)))
        return int(newest.scalar_one())


async def claim(
    ctx: ServiceContext, worker: str, *, at: datetime, limit: int = 10
) -> list[outbox.Claimed]:
    async with ctx.db.write() as conn:
        return await outbox.claim(conn, worker=worker, now=at, lease=LEASE, limit=limit)


async def stored(ctx: ServiceContext, id_: int) -> Any:
    async with ctx.db.read() as conn:
        return (await conn.execute(select(outbox_table).where(outbox_table.c.id == id_))).one()


async def test_claim_takes_due_rows_oldest_first_up_to_the_limit(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    ids = [await put(seeded, registration_ids[0], at=T0 + timedelta(seconds=n)) for n in range(5)]

    claimed = await claim(seeded, "worker-a", at=T0 + timedelta(minutes=1), limit=3)

    assert [c.id for c in claimed] == ids[:3]
    assert {c.attempts for c in claimed} == {1}
    assert [(await stored(seeded, id_)).status for id_ in ids] == [
        "sending",
        "sending",
        "sending",
        "pending",
        "pending",
    ]


async def test_a_claim_marks_rows_sending_with_a_lease_for_the_worker(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    now = T0 + timedelta(seconds=30)

    (claimed,) = await claim(seeded, "worker-a", at=now)

    row = await stored(seeded, id_)
    assert (row.status, row.claimed_by, row.attempts) == ("sending", "worker-a", 1)
    assert row.lease_until == now + LEASE
    assert claimed.message_id == row.message_id
    assert claimed.registration_id == registration_ids[0]


async def test_every_row_gets_its_own_message_id(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    async with seeded.db.write() as conn:
        mails = [
            NewMail(registration_ids[0], Confirmed(parts=[1, 2]), part=p, method=Method.REQUEST)
            for p in (1, 2)
        ]
        await outbox.enqueue(conn, mails, now=T0)

    claimed = await claim(seeded, "worker-a", at=T0)

    assert [c.part for c in claimed] == [1, 2]
    assert len({c.message_id for c in claimed}) == 2


async def test_rows_not_yet_available_are_not_claimed(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    later = T0 + timedelta(hours=1)
    await put(seeded, registration_ids[0], at=later)

    early = await claim(seeded, "worker-a", at=later - timedelta(seconds=1))
    on_time = await claim(seeded, "worker-a", at=later)

    assert early == []
    assert [c.kind for c in on_time] == ["reminder"]


async def test_a_claimed_row_is_not_claimed_again_while_its_lease_runs(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)

    again = await claim(seeded, "worker-b", at=T0 + LEASE)

    assert again == []


async def test_a_row_whose_lease_ran_out_is_claimed_by_another_worker(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    (first,) = await claim(seeded, "worker-a", at=T0)

    (second,) = await claim(seeded, "worker-b", at=T0 + LEASE + timedelta(seconds=1))

    assert second.id == id_
    assert second.attempts == 2
    assert second.message_id == first.message_id
    assert (await stored(seeded, id_)).claimed_by == "worker-b"


async def test_has_due_sees_pending_and_expired_rows_only(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)

    async with seeded.db.read() as conn:
        during_lease = await outbox.has_due(conn, now=T0 + LEASE)
        after_lease = await outbox.has_due(conn, now=T0 + LEASE + timedelta(seconds=1))

    assert not during_lease
    assert after_lease


async def test_next_due_is_the_earliest_retry_or_lease_end(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    async def next_due() -> datetime | None:
        async with seeded.db.read() as conn:
            return await outbox.next_due(conn)

    empty = await next_due()
    await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)
    lease_end = await next_due()
    await put(seeded, registration_ids[1], at=T0 + timedelta(minutes=2))  # a retry's time
    retry = await next_due()

    assert (empty, lease_end, retry) == (None, T0 + LEASE, T0 + timedelta(minutes=2))


async def test_mark_sent_records_the_time_and_clears_the_lease(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)
    sent_at = T0 + timedelta(seconds=2)

    async with seeded.db.write() as conn:
        await outbox.mark_sent(conn, [id_], worker="worker-a", now=sent_at)

    row = await stored(seeded, id_)
    assert (row.status, row.sent_at, row.lease_until) == ("sent", sent_at, None)
    assert await claim(seeded, "worker-b", at=T0 + timedelta(days=1)) == []


async def test_retry_later_makes_the_row_due_again_at_the_given_time(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)
    retry_at = T0 + timedelta(minutes=2)

    async with seeded.db.write() as conn:
        await outbox.retry_later(
            conn, id_, worker="worker-a", at=retry_at, error="421 Service not available"
        )

    row = await stored(seeded, id_)
    assert (row.status, row.available_at, row.lease_until) == ("pending", retry_at, None)
    assert row.last_error == "421 Service not available"
    assert await claim(seeded, "worker-a", at=retry_at - timedelta(seconds=1)) == []
    (again,) = await claim(seeded, "worker-a", at=retry_at)
    assert again.attempts == 2


async def test_mark_failed_keeps_the_error_and_the_row_is_never_claimed_again(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)

    async with seeded.db.write() as conn:
        await outbox.mark_failed(conn, id_, worker="worker-a", error="550 No such user")

    row = await stored(seeded, id_)
    assert (row.status, row.last_error, row.lease_until) == ("failed", "550 No such user", None)
    assert await claim(seeded, "worker-b", at=T0 + timedelta(days=1)) == []


async def test_a_very_long_error_is_cut_to_2000_characters(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)

    async with seeded.db.write() as conn:
        await outbox.mark_failed(conn, id_, worker="worker-a", error="5" * 5000)

    assert (await stored(seeded, id_)).last_error == "5" * 2000


Outcome = Callable[[AsyncConnection, int, str], Awaitable[None]]


async def _sent(conn: AsyncConnection, id_: int, worker: str) -> None:
    await outbox.mark_sent(conn, [id_], worker=worker, now=T0 + timedelta(minutes=7))


async def _retry(conn: AsyncConnection, id_: int, worker: str) -> None:
    await outbox.retry_later(
        conn, id_, worker=worker, at=T0 + timedelta(hours=1), error="451 Try again later"
    )


async def _failed(conn: AsyncConnection, id_: int, worker: str) -> None:
    await outbox.mark_failed(conn, id_, worker=worker, error="550 Mailbox unavailable")


@pytest.mark.parametrize("outcome", [_sent, _retry, _failed], ids=["sent", "retry", "failed"])
async def test_a_worker_whose_lease_ran_out_cannot_record_an_outcome_for_the_new_claimant(
    seeded: ServiceContext, registration_ids: list[int], outcome: Outcome
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)
    reclaimed_at = T0 + LEASE + timedelta(seconds=1)
    await claim(seeded, "worker-b", at=reclaimed_at)

    async with seeded.db.write() as conn:
        await outcome(conn, id_, "worker-a")

    row = await stored(seeded, id_)
    assert (row.status, row.claimed_by) == ("sending", "worker-b")
    assert row.lease_until == reclaimed_at + LEASE
    assert (row.sent_at, row.last_error) == (None, None)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [(_sent, "sent"), (_retry, "pending"), (_failed, "failed")],
    ids=["sent", "retry", "failed"],
)
async def test_the_new_claimant_records_its_outcome(
    seeded: ServiceContext, registration_ids: list[int], outcome: Outcome, status: str
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)
    await claim(seeded, "worker-b", at=T0 + LEASE + timedelta(seconds=1))

    async with seeded.db.write() as conn:
        await outcome(conn, id_, "worker-b")

    assert (await stored(seeded, id_)).status == status


async def test_an_outcome_is_not_recorded_for_a_row_that_is_no_longer_sending(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    id_ = await put(seeded, registration_ids[0], at=T0)
    await claim(seeded, "worker-a", at=T0)
    async with seeded.db.write() as conn:
        await outbox.mark_sent(conn, [id_], worker="worker-a", now=T0)

    async with seeded.db.write() as conn:
        await outbox.mark_failed(conn, id_, worker="worker-a", error="550 late answer")

    row = await stored(seeded, id_)
    assert (row.status, row.last_error) == ("sent", None)


async def test_counts_give_every_status_even_when_the_outbox_is_empty(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    async with seeded.db.read() as conn:
        found = await outbox.counts(conn)

    assert found == {status: 0 for status in OutboxStatus}


async def test_counts_give_the_number_of_rows_in_each_status(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    ids = [await put(seeded, registration_ids[0], at=T0) for _ in range(6)]
    await claim(seeded, "worker-a", at=T0, limit=3)
    async with seeded.db.write() as conn:
        await outbox.mark_sent(conn, [ids[0]], worker="worker-a", now=T0)
        await outbox.mark_failed(conn, ids[1], worker="worker-a", error="550 Nej")

    async with seeded.db.read() as conn:
        found = await outbox.counts(conn)

    assert found == {
        OutboxStatus.PENDING: 3,
        OutboxStatus.SENDING: 1,
        OutboxStatus.SENT: 1,
        OutboxStatus.FAILED: 1,
    }


async def test_recent_failures_list_failed_rows_newest_first_with_recipient_and_error(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    first, second = registration_ids
    ok = await put(seeded, first, at=T0)
    old = await put(seeded, first, at=T0, payload=Waitlisted(waitlist_position=1))
    new = await put(seeded, second, at=T0)
    await claim(seeded, "worker-a", at=T0)
    async with seeded.db.write() as conn:
        await outbox.mark_sent(conn, [ok], worker="worker-a", now=T0)
        await outbox.mark_failed(conn, old, worker="worker-a", error="550 No such user")
        await outbox.mark_failed(conn, new, worker="worker-a", error="554 Rejected")

    async with seeded.db.read() as conn:
        failures = await outbox.recent_failures(conn, limit=10)
        newest = await outbox.recent_failures(conn, limit=1)

    assert [(f.id, f.kind, f.recipient, f.error) for f in failures] == [
        (new, "reminder", "deltagare2@vaxjo.se", "554 Rejected"),
        (old, "waitlisted", "deltagare1@vaxjo.se", "550 No such user"),
    ]
    assert [f.id for f in newest] == [new]


async def test_two_open_claims_on_postgresql_take_disjoint_rows(
    seeded: ServiceContext, registration_ids: list[int]
) -> None:
    if seeded.db.is_sqlite:
        pytest.skip("SQLite serializes writers: a second claim waits for the first to commit")
    ids = [await put(seeded, registration_ids[0], at=T0) for _ in range(4)]

    async with seeded.db.write() as first, seeded.db.write() as second:
        # Without SKIP LOCKED the second claim would wait for the first forever: fail instead.
        await second.execute(text("SET LOCAL lock_timeout = '10s'"))
        taken_first = await outbox.claim(first, worker="worker-a", now=T0, lease=LEASE, limit=2)
        # The first transaction still holds its rows' locks: the second skips them.
        taken_second = await outbox.claim(second, worker="worker-b", now=T0, lease=LEASE, limit=10)

    assert [c.id for c in taken_first] == ids[:2]
    assert [c.id for c in taken_second] == ids[2:]
