"""Employers whose staff may register."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from courses.api.http.openapi import problem_responses
from courses.api.public.schemas import EmployerOut
from courses.services.catalogue.listing import list_employers
from courses.services.context import ServiceContext

__all__ = ["employers"]


@get(
    "/api/employers",
    tags=["Arbetsgivare"],
    summary="Behöriga arbetsgivare",
    responses=problem_responses(),
)
async def employers(ctx: NamedDependency[ServiceContext]) -> list[EmployerOut]:
    return [
        EmployerOut(key=e.key, name=e.name, kind=e.kind, domains=e.domains)
        for e in await list_employers(ctx)
    ]
