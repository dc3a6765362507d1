"""For the operator: /api/health, /metrics and the request id, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from courses.clock import FixedClock
from courses.domain.notices import OutboxStatus
from courses.services.context import ServiceContext
from courses.storage import outbox
from tests.conftest import registrant

Client = AsyncTestClient[Any]
ASI = "/api/courses/asi-grund-2022/registrations"  # four seats, four sessions
LVM = "/api/courses/lvm-forelasning-2022/registrations"  # uncapped, one session

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(api: Client) -> Samples:
    response = await api.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def pending_rows(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        return (await outbox.counts(conn))[OutboxStatus.PENDING]


# --- /api/health -------------------------------------------------------------------------------


async def test_health_reports_the_database_and_the_outbox_backlog(
    api: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    await api.post(ASI, json=registrant(1))
    clock.set(clock.now() + timedelta(seconds=90))

    response = await api.get("/api/health")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "outbox": {
            "pending": await pending_rows(seeded),
            "sending": 0,
            "failed": 0,
            "oldest_pending_seconds": 90.0,
        },
    }
    assert await pending_rows(seeded) == 4  # the confirmation and three more invites


async def test_health_with_nothing_waiting_has_no_oldest_age(api: Client) -> None:
    body = (await api.get("/api/health")).json()

    assert body["outbox"] == {
        "pending": 0,
        "sending": 0,
        "failed": 0,
        "oldest_pending_seconds": None,
    }


async def test_health_and_metrics_stay_out_of_the_openapi_document(api: Client) -> None:
    paths = (await api.get("/api/schema/openapi.json")).json()["paths"]

    assert "/api/health" not in paths
    assert "/metrics" not in paths
    assert "/api/courses" in paths


# --- /metrics ----------------------------------------------------------------------------------


async def test_registrations_are_counted_by_outcome(api: Client) -> None:
    for n in range(5):
        await api.post(ASI, json=registrant(n))
    await api.post(ASI, json=registrant(0))
    await api.post(ASI, json=registrant(9, email="nio@example.com"))
    await api.post("/api/courses/finns-inte/registrations", json=registrant(9))

    samples = await scrape(api)

    counted = {
        outcome: value(samples, "courses_registrations_total", outcome=outcome)
        for outcome in (
            "confirmed",
            "waitlisted",
            "already-registered",
            "not-eligible",
            "course-not-found",
            "registration-closed",
        )
    }
    assert counted == {
        "confirmed": 4,
        "waitlisted": 1,
        "already-registered": 1,
        "not-eligible": 1,
        "course-not-found": 1,
        "registration-closed": 0,
    }


async def test_requests_are_timed_by_route_template_never_by_their_path(api: Client) -> None:
    token = (await api.post(LVM, json=registrant(1))).json()["manage_url"].rsplit("/", 1)[1]
    await api.get(f"/api/registrations/{token}")
    await api.get(f"/api/registrations/{token}/invite.ics")
    await api.get(f"/nowhere/{token}")

    response = await api.get("/metrics")
    samples = await scrape(api)

    assert token not in response.text
    histogram = "courses_http_request_duration_seconds_count"
    mine = "/api/registrations/{token}"
    assert value(samples, histogram, method="GET", route=mine, status="200") == 1
    invite = "/api/registrations/{token}/invite.ics"
    assert value(samples, histogram, method="GET", route=invite, status="200") == 1
    assert value(samples, histogram, method="GET", route="unmatched", status="404") == 1
    created = value(
        samples, histogram, method="POST", route="/api/courses/{slug}/registrations", status="201"
    )
    assert created == 1


async def test_an_odd_method_is_counted_as_other(api: Client) -> None:
    await api.request("BREW", "/api/courses")

    samples = await scrape(api)

    routes = {
        dict(labels)["method"]
        for (name, labels) in samples
        if name == "courses_http_request_duration_seconds_count"
    }
    assert "BREW" not in routes
    assert "other" in routes


async def test_the_outbox_gauges_are_read_from_the_database_at_scrape_time(
    api: Client, seeded: ServiceContext, clock: FixedClock
) -> None:
    await api.post(LVM, json=registrant(1))
    await api.post(LVM, json=registrant(2))
    clock.set(clock.now() + timedelta(minutes=2))

    samples = await scrape(api)

    assert value(samples, "courses_database_up") == 1
    assert value(samples, "courses_outbox_pending") == await pending_rows(seeded) == 2
    assert value(samples, "courses_outbox_failed") == 0
    assert value(samples, "courses_outbox_oldest_pending_seconds") == 120.0


async def test_metrics_speak_the_text_format_unless_asked_for_openmetrics(api: Client) -> None:
    plain = await api.get("/metrics")
    open_metrics = await api.get("/metrics", headers={"Accept": "application/openmetrics-text"})

    assert plain.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert open_metrics.headers["content-type"].startswith("application/openmetrics-text")
    assert open_metrics.text.rstrip().endswith("# EOF")


async def test_two_apps_in_one_process_count_apart(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    from courses.api import create_app

    apps = [create_app(seeded.settings, clock=clock, migrate=False) for _ in range(2)]
    async with AsyncTestClient(apps[0]) as first, AsyncTestClient(apps[1]) as second:
        await first.post(LVM, json=registrant(1))

        counts = [
            value(await scrape(client), "courses_registrations_total", outcome="confirmed")
            for client in (first, second)
        ]

    assert counts == [1, 0]


# --- X-Request-ID ------------------------------------------------------------------------------


async def test_every_answer_carries_a_new_request_id(api: Client) -> None:
    answers = [await api.get("/api/courses"), await api.get("/finns-inte")]

    ids = [answer.headers["x-request-id"] for answer in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", request_id) for request_id in ids)
    assert ids[0] != ids[1]
    assert answers[1].status_code == 404


async def test_a_sane_incoming_request_id_is_kept(api: Client) -> None:
    response = await api.get("/api/courses", headers={"X-Request-ID": "lb-7f3a:42"})

    assert response.headers["x-request-id"] == "lb-7f3a:42"


@pytest.mark.parametrize(
    "incoming", ["x" * 129, "two words", "semi;colon", 'quote"d', "å-id".encode(), "<script>"]
)
async def test_an_unsafe_or_overlong_incoming_request_id_is_replaced(
    api: Client, incoming: str | bytes
) -> None:
    response = await api.get("/api/courses", headers={"X-Request-ID": incoming})

    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
