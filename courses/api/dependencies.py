"""Dependencies handed to route handlers."""

from __future__ import annotations

from litestar.datastructures import State

from courses.services.context import ServiceContext

__all__ = ["provide_ctx"]


def provide_ctx(state: State) -> ServiceContext:
    ctx = state.ctx
    assert isinstance(ctx, ServiceContext)
    return ctx
