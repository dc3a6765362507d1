"""`/tillganglighet`: the accessibility statement (tillgänglighetsredogörelse), in the shape of
DIGG's template: how well the service meets WCAG 2.1 AA and how that was checked, the gaps we
know of, how to report a barrier (to the organizer's address) and where to complain (DIGG).

Every page's footer links here; an organizer's pages with `?arrangor=KEY`, so that the statement
names that organizer and its address. Review the text whenever the checks or the gaps change,
and move `REVIEWED` with it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from courses.api.pages.templating import page
from courses.domain.errors import ItemNotFound
from courses.domain.rules import swedish_date
from courses.services.catalogue.organizers import Front, front_by_key, fronts
from courses.services.context import ServiceContext

__all__ = ["REVIEWED", "AccessibilityPage"]

REVIEWED = date(2026, 12, 7)
"""When the statement was last reviewed against the service (the date it shows)."""

DIGG_ADDRESS = "www.digg.se/tdosanmalan"


class AccessibilityPage(Controller):
    path = "/tillganglighet"
    include_in_schema = False

    @get("/", name="accessibility")
    async def statement(
        self,
        ctx: NamedDependency[ServiceContext],
        key: Annotated[str | None, QueryParameter(name="arrangor")] = None,
    ) -> Template:
        organizer = await _organizer(ctx, key)
        context: dict[str, Any] = {
            "organizer": organizer,
            "reviewed": swedish_date(REVIEWED),
            "digg_address": DIGG_ADDRESS,
        }
        return page("accessibility.html", context)


async def _organizer(ctx: ServiceContext, key: str | None) -> Front | None:
    """The organizer the statement is for: the one asked for, else the only one; None (the
    service's own statement) for an unknown key or when several share the service."""
    if key:
        try:
            return await front_by_key(ctx, key)
        except ItemNotFound:
            return None
    found = await fronts(ctx)
    return found[0] if len(found) == 1 else None
