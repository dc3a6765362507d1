"""Employers whose staff may register, and a health check."""

from __future__ import annotations

from typing import Any, cast

from litestar import get
from litestar.di import NamedDependency

from courses.api.openapi import problem_responses
from courses.api.schemas import EmployerOut
from courses.services.catalog import list_employers
from courses.services.context import ServiceContext

__all__ = ["employers", "health"]


@get(
    "/api/employers",
    tags=["Arbetsgivare"],
    summary="Behöriga arbetsgivare",
    responses=problem_responses(),
)
async def employers(ctx: NamedDependency[ServiceContext]) -> list[EmployerOut]:
    return [
        EmployerOut(key=e.key, name=e.name, kind=cast(Any, e.kind), domains=e.domains)
        for e in await list_employers(ctx)
    ]


@get("/api/health", tags=["Drift"], summary="Svarar när tjänsten är uppe", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}
