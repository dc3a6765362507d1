"""`/`: the catalogue. Upcoming courses first, past ones behind a link, filters as a GET form."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from courses.api.http.paths import PathSegment
from courses.api.pages.public.catalogue_cards import CatalogueCards, Entry
from courses.api.pages.public.course_view import CourseCard
from courses.api.pages.public.wording import month_label
from courses.api.pages.templating import page
from courses.services.catalogue.cache import CatalogueCache
from courses.services.catalogue.organizers import Front, unknown_organizer
from courses.services.context import ServiceContext

__all__ = ["CataloguePage", "Filters", "catalogue_context", "organizers_context"]

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


def catalogue_context(entries: list[Entry], filters: Filters, *, today: date) -> dict[str, Any]:
    """The catalogue's template context: the chosen half (upcoming or past), filtered, grouped
    by the month of each course's first day."""
    upcoming = [e for e in entries if e.card.last_day >= today]
    past = [e for e in entries if e.card.last_day < today]
    newest_first = sorted(past, key=lambda e: e.card.first_day, reverse=True)
    shown = newest_first if filters.past else upcoming
    months = sorted({m for e in shown for m in e.card.months}, reverse=filters.past)
    kept = [e for e in shown if filters.keeps(e.card)]
    groups: list[dict[str, Any]] = []
    for entry in kept:
        first = entry.card.first_day
        label = month_label(first.year, first.month)
        if not groups or groups[-1]["label"] != label:
            groups.append({"label": label, "entries": []})
        groups[-1]["entries"].append(entry)
    return {
        "filters": filters,
        "months": [(f"{y:04d}-{m:02d}", month_label(y, m)) for y, m in months],
        "formats": FORMATS,
        "groups": groups,
        "count": len(kept),
        "total": len(shown),
        "other_count": len(upcoming) if filters.past else len(past),
        "demo_shown": any(e.card.demo for e in kept),
        "real_shown": any(not e.card.demo for e in kept),
    }


class CataloguePage(Controller):
    path = "/"
    include_in_schema = False

    @get("/", name="catalogue")
    async def catalogue(
        self,
        ctx: NamedDependency[ServiceContext],
        catalogue: NamedDependency[CatalogueCache],
        catalogue_cards: NamedDependency[CatalogueCards],
        request: Request[Any, Any, Any],
        month: Annotated[str | None, QueryParameter(name="manad")] = None,
        format: Annotated[str | None, QueryParameter(name="format")] = None,
        show: Annotated[str | None, QueryParameter(name="visa")] = None,
    ) -> Template:
        """The only organizer's catalogue, or with several, the organizers."""
        courses, organizers = await _courses(ctx, catalogue, catalogue_cards, request)
        if len(organizers) > 1:
            today = ctx.clock.now().astimezone(ctx.tz).date()
            return page("organizers.html", organizers_context(organizers, courses, today=today))
        organizer = organizers[0] if organizers else None
        filters = Filters.parse(month=month, format=format, show=show)
        return _catalogue_page(ctx, [e for _, e in courses], filters, organizer)

    @get("/{key:str}", name="organizer-catalogue")
    async def organizer_catalogue(
        self,
        ctx: NamedDependency[ServiceContext],
        catalogue: NamedDependency[CatalogueCache],
        catalogue_cards: NamedDependency[CatalogueCards],
        request: Request[Any, Any, Any],
        key: PathSegment,
        month: Annotated[str | None, QueryParameter(name="manad")] = None,
        format: Annotated[str | None, QueryParameter(name="format")] = None,
        show: Annotated[str | None, QueryParameter(name="visa")] = None,
    ) -> Response[Any]:
        """`/{key}/`: one organizer's catalogue; an unknown key is the 404 page, and the only
        organizer's key leads to `/`, its catalogue."""
        courses, organizers = await _courses(
            ctx, catalogue, catalogue_cards, request, organizer_key=key
        )
        organizer = next((o for o in organizers if o.key == key), None)
        if organizer is None:
            raise unknown_organizer(key)
        if not organizer.several:
            query = request.url.query
            return Redirect(f"/?{query}" if query else "/", status_code=302)
        entries = [e for _, e in courses]
        filters = Filters.parse(month=month, format=format, show=show)
        return _catalogue_page(ctx, entries, filters, organizer)


async def _courses(
    ctx: ServiceContext,
    catalogue: CatalogueCache,
    catalogue_cards: CatalogueCards,
    request: Request[Any, Any, Any],
    *,
    organizer_key: str | None = None,
) -> tuple[list[tuple[int, Entry]], list[Front]]:
    """Every course's entry with its organizer's id (only the courses of the organizer
    `organizer_key`, if given; the cards are kept for each), and the organizers."""
    courses, organizers = await catalogue.with_organizers(ctx, organizer_key=organizer_key)
    env = request.app.template_engine.engine  # type: ignore[union-attr]
    entries = catalogue_cards.entries(
        courses, env=env, now=ctx.clock.now(), tz=ctx.tz, key=organizer_key
    )
    return [(c.organizer_id, e) for c, e in zip(courses, entries, strict=True)], organizers


def _catalogue_page(
    ctx: ServiceContext, entries: list[Entry], filters: Filters, organizer: Front | None
) -> Template:
    today = ctx.clock.now().astimezone(ctx.tz).date()
    context = catalogue_context(entries, filters, today=today)
    context["organizer"] = organizer
    context["home"] = organizer.home if organizer else "/"
    return page("catalogue.html", context)


def organizers_context(
    organizers: list[Front], courses: list[tuple[int, Entry]], *, today: date
) -> dict[str, Any]:
    """`/` with several organizers: each with its number of upcoming courses."""
    upcoming = Counter(i for i, e in courses if e.card.last_day >= today)
    return {"organizers": [(o, upcoming[o.id]) for o in organizers]}
