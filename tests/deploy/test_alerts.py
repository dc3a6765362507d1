"""deploy/prometheus/alerts.yml parses and asks only for metrics the service serves.

(promtool is not installed here: the expressions' syntax is left to Prometheus's own check,
`promtool check rules`; their metric names are checked against courses/metrics.py.)
"""

from __future__ import annotations

import re

import yaml
from prometheus_client.parser import text_string_to_metric_families

from courses.metrics import Metrics
from tests.deploy.support import DEPLOY

# Series Prometheus makes itself, and the suffixes it reads of histograms and counters.
PROMETHEUS_OWN = {"up"}


def _rules() -> list[dict[str, object]]:
    document = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _served() -> set[str]:
    """Every series name the service's /metrics shows, with the outbox read once."""

    class Backlog:
        pending, sending, failed, oldest_pending_seconds = 1, 0, 0, 5.0

    metrics = Metrics()
    metrics.set_outbox(Backlog())
    metrics.http_request(method="GET", route="/api/health", status=200, seconds=0.01)
    body, _ = metrics.render("text/plain")
    return {
        sample.name
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def test_every_rule_is_complete() -> None:
    rules = _rules()
    assert len(rules) >= 6
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in ("warning", "critical"), rule  # type: ignore[index]


def test_the_rules_ask_for_metrics_the_service_serves() -> None:
    served = _served() | PROMETHEUS_OWN
    asked = {
        name
        for rule in _rules()
        for name in re.findall(r"\b(courses_[a-z0-9_]+|up)\b", str(rule["expr"]))
    }
    assert asked >= {
        "courses_database_up",
        "courses_outbox_failed",
        "courses_rate_limit_storage_up",
        "up",
    }
    assert asked - served == set()
