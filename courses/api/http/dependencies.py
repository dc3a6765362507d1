"""Dependencies handed to route handlers."""

from __future__ import annotations

from litestar.datastructures import State

from courses.metrics import Metrics
from courses.services.context import ServiceContext

__all__ = ["provide_ctx", "provide_metrics"]


def provide_ctx(state: State) -> ServiceContext:
    ctx = state.ctx
    assert isinstance(ctx, ServiceContext)
    return ctx


def provide_metrics(state: State) -> Metrics:
    metrics = state.metrics
    assert isinstance(metrics, Metrics)
    return metrics
