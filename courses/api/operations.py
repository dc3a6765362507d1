"""For the operator: readiness at /api/health and Prometheus metrics at /metrics.

Neither is in the OpenAPI document: they are for load balancers and scrapers, not API clients;
docs/operating.md describes both. A database outage answers /api/health with the same
503 problem as every other route (courses.api.http.problems).
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency

from courses.metrics import Metrics
from courses.services import operations
from courses.services.context import ServiceContext

__all__ = ["health", "prometheus_metrics"]


class OutboxOut(msgspec.Struct):
    pending: int
    sending: int
    failed: int
    oldest_pending_seconds: float | None


class HealthOut(msgspec.Struct):
    status: Literal["ok"]
    database: Literal["ok"]
    outbox: OutboxOut


@get("/api/health", summary="Databasen nås; e-postkön", include_in_schema=False)
async def health(ctx: NamedDependency[ServiceContext]) -> Response[HealthOut]:
    backlog = await operations.outbox_backlog(ctx)
    body = HealthOut(
        status="ok",
        database="ok",
        outbox=OutboxOut(
            pending=backlog.pending,
            sending=backlog.sending,
            failed=backlog.failed,
            oldest_pending_seconds=backlog.oldest_pending_seconds,
        ),
    )
    return Response(body, headers={"Cache-Control": "no-store"})


@get("/metrics", summary="Prometheus-mått", include_in_schema=False)
async def prometheus_metrics(
    ctx: NamedDependency[ServiceContext],
    metrics: NamedDependency[Metrics],
    request: Request[Any, Any, Any],
) -> Response[bytes]:
    metrics.set_outbox(await operations.outbox_backlog_if_reachable(ctx))
    body, content_type = metrics.render(request.headers.get("accept", ""))
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
