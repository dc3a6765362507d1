"""The seat cap, the waitlist and one-registration-per-person under hundreds of simultaneous
requests, through a real server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select, update

from courses.api import create_app
from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.services.seats import fair_seats
from courses.storage.db import Database
from courses.storage.seats import counters as seats
from courses.storage.seats import enrolment
from courses.storage.seats import fair_seats as fair
from courses.storage.tables import course_table, registration_table
from tests.concurrency.gate import ReadGate
from tests.concurrency.server import running_server
from tests.conftest import registrant

pytestmark = pytest.mark.slow

ASI = "asi-grund-2022"  # four seats


def body(n: int | str, email: str | None = None) -> dict[str, Any]:
    return registrant(n, email=email) if email else registrant(n)


@pytest.fixture
async def server(seeded: ServiceContext, clock: FixedClock) -> AsyncIterator[str]:
    # The per-mailbox rate limit would answer most of one person's 20 tries with 429; these
    # tests are about the database's guard, so only the per-address ceiling stays on.
    settings = replace(seeded.settings, registration_rate=None)
    app = create_app(settings, clock=clock, migrate=False, pool_size=10)
    with running_server(app) as base_url:
        yield base_url


@pytest.fixture
async def client(server: str) -> AsyncIterator[httpx.AsyncClient]:
    # No keep-alive: every registrant is a different person on their own connection.
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server, limits=limits, timeout=120) as http:
        yield http


async def all_at_once(requests: list[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*requests))


async def statuses(ctx: ServiceContext, slug: str) -> Counter[str]:
    reg = registration_table.c
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(reg.status, func.count())
            .join(course_table, course_table.c.id == reg.course_id)
            .where(course_table.c.slug == slug)
            .group_by(reg.status)
        )
        return Counter({status: count for status, count in rows.all()})


def assert_no_server_errors(responses: list[httpx.Response]) -> None:
    failed = [(r.status_code, r.text[:200]) for r in responses if r.status_code >= 500]
    assert failed == []
    assert not any("database is locked" in r.text for r in responses)


async def test_300_simultaneous_registrations_fill_4_seats_and_queue_the_rest(
    seeded: ServiceContext, client: httpx.AsyncClient
) -> None:
    responses = await all_at_once(
        [client.post(f"/api/courses/{ASI}/registrations", json=body(n)) for n in range(300)]
    )

    assert_no_server_errors(responses)
    assert [r.status_code for r in responses] == [201] * 300
    created = [r.json() for r in responses]
    assert sum(1 for c in created if c["status"] == "confirmed") == 4
    positions = sorted(c["waitlist_position"] for c in created if c["status"] == "waitlisted")
    assert positions == list(range(1, 297))
    assert await statuses(seeded, ASI) == {"confirmed": 4, "waitlisted": 296}
    course = (await client.get(f"/api/courses/{ASI}")).json()
    assert (course["seats_left"], course["state"]) == (0, "waitlist")


async def test_200_simultaneous_registrations_for_an_uncapped_course_are_all_confirmed(
    seeded: ServiceContext, client: httpx.AsyncClient
) -> None:
    slug = "lvm-forelasning-2022"
    responses = await all_at_once(
        [client.post(f"/api/courses/{slug}/registrations", json=body(n)) for n in range(200)]
    )

    assert_no_server_errors(responses)
    assert {r.status_code for r in responses} == {201}
    assert {r.json()["status"] for r in responses} == {"confirmed"}
    assert await statuses(seeded, slug) == {"confirmed": 200}


async def _unguarded_enrol(
    conn: Any,
    request: seats.SeatRequest,
    *,
    revision: int,
    row: dict[str, Any],
    now: datetime,
) -> enrolment.Enrolment:
    """The bug the guard prevents: trust what was read before the transaction, then write."""
    has_room = request.course_seats_left is None or request.course_seats_left > 0
    queue_no = (
        await conn.execute(
            update(course_table)
            .where(course_table.c.id == request.course_id)
            .values(
                queue_counter=course_table.c.queue_counter + 1,
                confirmed_count=course_table.c.confirmed_count + int(has_room),
            )
            .returning(course_table.c.queue_counter)
        )
    ).scalar_one()
    status = "confirmed" if has_room else "waitlisted"
    inserted = await conn.execute(
        insert(registration_table)
        .values(**row, status=status, queue_no=queue_no, confirmed_at=now if has_room else None)
        .returning(registration_table.c.id)
    )
    return enrolment.Enrolment(inserted.scalar_one(), has_room, queue_no)


async def _unguarded_enrol_mailed(
    db: Database, course: Any, fmt: Any, *, row: dict[str, Any], now: datetime, mails: Any
) -> enrolment.Enrolment:
    """`fair_seats.enrol_mailed` (the path of a course without share or approval) with the
    read-check-write bug instead of the guard."""
    request = seats.SeatRequest(course.id, fmt.id, course.seats_left, fmt.seats_left)
    async with db.write() as conn:
        return await _unguarded_enrol(conn, request, revision=course.revision, row=row, now=now)


async def test_control_without_the_seat_guard_the_same_rush_oversells(
    seeded: ServiceContext, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the race test above can fail: with a read-check-write guard it oversells."""
    monkeypatch.setattr(fair_seats, "enrol_mailed", _unguarded_enrol_mailed)

    responses = await all_at_once(
        [client.post(f"/api/courses/{ASI}/registrations", json=body(n)) for n in range(300)]
    )

    assert_no_server_errors(responses)
    assert (await statuses(seeded, ASI))["confirmed"] > 4


async def test_20_simultaneous_registrations_with_one_email_make_one_registration(
    seeded: ServiceContext, client: httpx.AsyncClient
) -> None:
    emails = [f"{'Kim' if n % 2 else 'kim'}.Berg@vaxjo.se" for n in range(20)]
    responses = await all_at_once(
        [
            client.post(f"/api/courses/{ASI}/registrations", json=body(n, email))
            for n, email in enumerate(emails)
        ]
    )

    assert_no_server_errors(responses)
    codes = Counter(r.status_code for r in responses)
    assert codes == {201: 1, 409: 19}
    refusals = {r.json()["type"].rsplit("/", 1)[1] for r in responses if r.status_code == 409}
    assert refusals == {"already-registered"}
    assert not any("manage_url" in r.text for r in responses if r.status_code == 409)
    assert await statuses(seeded, ASI) == {"confirmed": 1}


async def test_20_simultaneous_registrations_with_plus_tags_of_one_mailbox_make_one(
    seeded: ServiceContext, client: httpx.AsyncClient
) -> None:
    emails = [f"Kim.Berg+{n}@vaxjo.se" if n else "kim.berg@vaxjo.se" for n in range(20)]
    responses = await all_at_once(
        [
            client.post(f"/api/courses/{ASI}/registrations", json=body(n, email))
            for n, email in enumerate(emails)
        ]
    )

    assert_no_server_errors(responses)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 19}
    refusals = {r.json()["type"].rsplit("/", 1)[1] for r in responses if r.status_code == 409}
    assert refusals == {"already-registered"}
    assert await statuses(seeded, ASI) == {"confirmed": 1}
    course = (await client.get(f"/api/courses/{ASI}")).json()
    assert course["seats_left"] == 3


async def test_cancellations_racing_new_registrations_never_exceed_the_cap(
    seeded: ServiceContext, client: httpx.AsyncClient
) -> None:
    seated = []
    for n in range(4):
        response = await client.post(f"/api/courses/{ASI}/registrations", json=body(n))
        seated.append(response.json())
    queued = []
    for n in range(10):
        response = await client.post(f"/api/courses/{ASI}/registrations", json=body(f"q{n}"))
        queued.append(response.json())
    tokens = [s["manage_url"].rsplit("/", 1)[1] for s in seated]

    highest = 0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal highest
        while not done.is_set():
            counts = await statuses(seeded, ASI)
            highest = max(highest, counts["confirmed"])
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    requests = [client.delete(f"/api/registrations/{t}") for t in tokens]
    requests += [
        client.post(f"/api/courses/{ASI}/registrations", json=body(f"new{n}")) for n in range(20)
    ]
    responses = await all_at_once(requests)
    done.set()
    await watcher

    assert_no_server_errors(responses)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert [r.status_code for r in responses[4:]] == [201] * 20
    assert highest <= 4
    assert await statuses(seeded, ASI) == {"confirmed": 4, "cancelled": 4, "waitlisted": 26}
    # Promotions went in queue order: the first four who waited now have the seats.
    after = [
        (await client.get(f"/api/registrations/{q['manage_url'].rsplit('/', 1)[1]}")).json()
        for q in queued
    ]
    assert [a["status"] for a in after] == ["confirmed"] * 4 + ["waitlisted"] * 6
    assert [a["waitlist_position"] for a in after[4:]] == [1, 2, 3, 4, 5, 6]
    async with seeded.db.read() as conn:
        stored = (
            await conn.execute(
                select(course_table.c.confirmed_count).where(course_table.c.slug == ASI)
            )
        ).scalar_one()
    assert stored == 4


# Fair seats: one seat per employer until the share ends (the whole rush happens before it).
FAIR = "rattvis-2022"
FAIR_COURSE = f"""
[[course]]
slug = "{FAIR}"
title = "Rättvis kurs"
deadline = 2022-09-01
seats = 50
per_employer = 1
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-09-14
"""


async def test_300_simultaneous_registrations_of_one_employer_hold_one_fair_seat(
    seeded: ServiceContext, client: httpx.AsyncClient
) -> None:
    await import_schedule(seeded, parse_schedule(FAIR_COURSE))

    responses = await all_at_once(
        [client.post(f"/api/courses/{FAIR}/registrations", json=body(n)) for n in range(300)]
    )

    assert_no_server_errors(responses)
    assert [r.status_code for r in responses] == [201] * 300
    created = [r.json() for r in responses]
    assert sum(1 for c in created if c["status"] == "confirmed") == 1
    positions = sorted(c["waitlist_position"] for c in created if c["status"] == "waitlisted")
    assert positions == list(range(1, 300))
    assert await statuses(seeded, FAIR) == {"confirmed": 1, "waitlisted": 299}
    course = (await client.get(f"/api/courses/{FAIR}")).json()
    assert course["seats_left"] == 49  # the other employers' seats stay free


def _naive_share_request(gate: ReadGate) -> Any:
    async def share_request(
        ctx: ServiceContext, course: Any, employer_id: int, *, now: datetime
    ) -> fair.ShareRequest | None:
        """Read the employer's held seats before the write transaction, as a naive guard would."""
        async with ctx.db.read() as conn:
            held = await fair.held_seats(conn, course_id=course.id, employer_id=employer_id)
        await gate.after_read()
        assert course.per_employer is not None
        return fair.ShareRequest(employer_id, course.per_employer, held_seen=held)

    return share_request


async def _unguarded_enrol_fair(
    conn: Any,
    request: seats.SeatRequest,
    share: fair.ShareRequest,
    *,
    revision: int,
    row: dict[str, Any],
    now: datetime,
) -> fair.FairEnrolment:
    """The bug the count under the lock prevents: trust the count read before, then write."""
    assert share.held_seen is not None
    at_share = share.held_seen >= share.per_employer
    place = await seats.take_place(conn, request, revision=revision)
    assert place is not None
    confirmed = place.course_seat and not at_share
    if place.course_seat and not confirmed:
        await seats.release_course_seat(conn, request.course_id)
    inserted = await conn.execute(
        insert(registration_table)
        .values(
            **row,
            status="confirmed" if confirmed else "waitlisted",
            queue_no=place.queue_no,
            confirmed_at=now if confirmed else None,
        )
        .returning(registration_table.c.id)
    )
    made = enrolment.Enrolment(inserted.scalar_one(), confirmed, place.queue_no)
    return fair.FairEnrolment(made, at_share=at_share)


async def test_control_without_the_share_guard_the_same_rush_gives_one_employer_more(
    seeded: ServiceContext, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves the fair-seat race test can fail: with a read-check-write guard it oversells."""
    await import_schedule(seeded, parse_schedule(FAIR_COURSE))
    monkeypatch.setattr(fair_seats, "share_request", _naive_share_request(ReadGate()))
    monkeypatch.setattr(fair, "enrol_fair", _unguarded_enrol_fair)

    responses = await all_at_once(
        [client.post(f"/api/courses/{FAIR}/registrations", json=body(n)) for n in range(300)]
    )

    assert_no_server_errors(responses)
    assert (await statuses(seeded, FAIR))["confirmed"] > 1
