"""`/`: the catalogue. Upcoming courses first, past ones behind a link, filters as a GET form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Template

from courses.api.pages.templating import page
from courses.api.pages.views import CourseCard, course_card
from courses.api.pages.wording import month_label
from courses.services import catalog
from courses.services.context import ServiceContext

__all__ = ["CataloguePage", "Filters", "catalogue_context"]

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
FORMATS = {"digitalt": "Digitalt", "pa-plats": "På plats"}


@dataclass(frozen=True, slots=True)
class Filters:
    """What the visitor asked for; a value that cannot be understood is left out, not an error
    (a hand-edited or outdated link still shows courses)."""

    month: tuple[int, int] | None = None
    format: str | None = None
    past: bool = False

    @classmethod
    def parse(cls, *, month: str | None, format: str | None, show: str | None) -> Filters:
        found = _MONTH.match(month or "")
        return cls(
            month=(int(found["year"]), int(found["month"])) if found else None,
            format=format if format in FORMATS else None,
            past=show == "tidigare",
        )

    @property
    def month_value(self) -> str:
        return "" if self.month is None else f"{self.month[0]:04d}-{self.month[1]:02d}"

    @property
    def active(self) -> bool:
        return self.month is not None or self.format is not None

    def keeps(self, card: CourseCard) -> bool:
        if self.month is not None and self.month not in card.months:
            return False
        if self.format == "digitalt":
            return card.digital
        if self.format == "pa-plats":
            return card.on_site
        return True


def catalogue_context(cards: list[CourseCard], filters: Filters, *, today: date) -> dict[str, Any]:
    """The catalogue's template context: the chosen half (upcoming or past), filtered, grouped
    by the month of each course's first day."""
    upcoming = [c for c in cards if c.last_day >= today]
    past = [c for c in cards if c.last_day < today]
    shown = sorted(past, key=lambda c: c.first_day, reverse=True) if filters.past else upcoming
    months = sorted({m for c in shown for m in c.months}, reverse=filters.past)
    kept = [c for c in shown if filters.keeps(c)]
    groups: list[dict[str, Any]] = []
    for card in kept:
        label = month_label(card.first_day.year, card.first_day.month)
        if not groups or groups[-1]["label"] != label:
            groups.append({"label": label, "cards": []})
        groups[-1]["cards"].append(card)
    return {
        "filters": filters,
        "months": [(f"{y:04d}-{m:02d}", month_label(y, m)) for y, m in months],
        "formats": FORMATS,
        "groups": groups,
        "count": len(kept),
        "total": len(shown),
        "other_count": len(upcoming) if filters.past else len(past),
        "demo_shown": any(c.demo for c in kept),
        "real_shown": any(not c.demo for c in kept),
    }


class CataloguePage(Controller):
    path = "/"
    include_in_schema = False

    @get("/", name="catalogue")
    async def catalogue(
        self,
        ctx: NamedDependency[ServiceContext],
        month: Annotated[str | None, QueryParameter(name="manad")] = None,
        format: Annotated[str | None, QueryParameter(name="format")] = None,
        show: Annotated[str | None, QueryParameter(name="visa")] = None,
    ) -> Template:
        now = ctx.clock.now()
        cards = [course_card(x, now=now, tz=ctx.tz) for x in await catalog.list_courses(ctx)]
        filters = Filters.parse(month=month, format=format, show=show)
        today = now.astimezone(ctx.tz).date()
        return page("catalogue.html", catalogue_context(cards, filters, today=today))
