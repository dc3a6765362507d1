"""Prometheus metrics of one process, in a registry of its own.

The composition root makes one `Metrics` per process and hands it to the app and the mail
worker; nothing is registered at import time, so tests can build as many apps as they like.

What is counted here lives in this process: HTTP requests, registrations answered, mails this
process's worker sent. What several processes share, the outbox, is read from the database at
scrape time (`set_outbox`), so every instance reports the same backlog whoever sends the mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

__all__ = ["MAIL_RESULTS", "REGISTRATION_OUTCOMES", "Backlog", "Metrics"]

REGISTRATION_OUTCOMES = (
    "confirmed",
    "waitlisted",
    "pending_approval",
    "applied",
    "course-not-found",
    "registration-closed",
    "not-yet-open",
    "course-full",
    "already-registered",
    "not-eligible",
    "validation-error",
)
"""Known outcomes, shown at 0 from the start: a registration's status or the refusal's code."""

MAIL_RESULTS = ("sent", "retried", "failed")

# Requests to this service take milliseconds; a registration under a rush a few hundred.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Backlog(Protocol):
    """The outbox as `courses.services.operations.outbox_backlog` reads it."""

    @property
    def pending(self) -> int: ...
    @property
    def sending(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def oldest_pending_seconds(self) -> float | None: ...


class _Outbox(Collector):
    """The outbox as last read from the database; nothing while the database is unreachable."""

    def __init__(self) -> None:
        self.backlog: Backlog | None = None

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "courses_database_up",
            "1 if the database answered at the last scrape, 0 if it could not be reached.",
            value=0 if self.backlog is None else 1,
        )
        gauges = self.backlog
        if gauges is None:
            return
        families: list[tuple[str, str, float | None]] = [
            ("pending", "Mails waiting to be sent (retries included).", gauges.pending),
            ("sending", "Mails claimed by a worker right now.", gauges.sending),
            ("failed", "Mails that failed for good and wait for an admin.", gauges.failed),
            (
                "oldest_pending_seconds",
                "Age of the oldest mail not yet delivered (absent when none waits).",
                gauges.oldest_pending_seconds,
            ),
        ]
        for name, documentation, value in families:
            if value is not None:
                yield GaugeMetricFamily(f"courses_outbox_{name}", documentation, value=value)


class Metrics:
    """The counters of one process and their rendering for `GET /metrics`."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        self._registrations = Counter(
            "courses_registrations",
            "Registration attempts answered, by outcome: the status or the refusal's code.",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in REGISTRATION_OUTCOMES:
            self._registrations.labels(outcome)
        self._requests = Histogram(
            "courses_http_request_duration_seconds",
            "HTTP requests by method, route template (never the path itself) and status.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._mail = Counter(
            "courses_mail_results",
            "Mails handled by this process's worker: sent, retried later, or failed for good.",
            ["result"],
            registry=self.registry,
        )
        for result in MAIL_RESULTS:
            self._mail.labels(result)
        self._rate_limit_storage = Gauge(
            "courses_rate_limit_storage_up",
            "1 while the rate-limit counters can be reached (always, in memory); 0 while Redis "
            "cannot be, and requests go on without limits.",
            registry=self.registry,
        )
        self._rate_limit_storage.set(1)
        self._outbox = _Outbox()
        self.registry.register(self._outbox)

    def registration(self, outcome: str) -> None:
        self._child(self._registrations, outcome).inc()

    def http_request(self, *, method: str, route: str, status: int, seconds: float) -> None:
        self._child(self._requests, method, route, str(status)).observe(seconds)

    def _child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once: it runs on every request, and the
        library's lookup (validation, a lock) cost more than the observation itself."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def mail_results(self, *, sent: int, retried: int, failed: int) -> None:
        for result, count in (("sent", sent), ("retried", retried), ("failed", failed)):
            if count:
                self._mail.labels(result).inc(count)

    def set_rate_limit_storage(self, *, up: bool) -> None:
        self._rate_limit_storage.set(1 if up else 0)

    def set_outbox(self, backlog: Backlog | None) -> None:
        """The backlog just read from the database, or None when it could not be reached."""
        self._outbox.backlog = backlog

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """The exposition in the format the scraper asks for, and its content type."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type
