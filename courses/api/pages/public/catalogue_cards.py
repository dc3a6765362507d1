"""The catalogue's cards, worded and rendered once per loaded catalogue.

A card's text (dates, places, leaders) and its HTML change only when its course does, which
`CatalogueCache` tells by handing back the very same records. Seats move the records too, so
what is left is the states' dependence on the clock: they are computed again when the clock
(the injected one) has moved on by `STATES_KEPT`. At a deadline or an opening the catalogue may
so lag by up to a second; registering itself always decides on the current time.

The fair-seat line ("Högst 1 plats per arbetsgivare ...") depends on the clock too: a card
with one is rendered both with and without it, and which half is shown is chosen with the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from courses.api.pages.public.course_view import CourseCard, course_card, share_applies
from courses.api.pages.public.wording import StateView, state_view
from courses.domain.courses import CourseRecord

__all__ = ["STATES_KEPT", "CatalogueCards", "Entry"]

STATES_KEPT = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """One course in the catalogue now: its card, its state, and the card's two HTML halves
    (around the state tag)."""

    card: CourseCard
    state: StateView
    head: Markup
    facts: Markup


@dataclass(frozen=True, slots=True)
class _Built:
    """A card and its HTML halves; for a fair-seat course also the card and facts without the
    share's line, shown once the share has ended."""

    card: CourseCard
    head: Markup
    facts: Markup
    after_share: tuple[CourseCard, Markup] | None

    @classmethod
    def of(cls, card: CourseCard, fragments: Any) -> _Built:
        after = None
        if card.share:
            without = replace(card, share="")
            after = (without, fragments.facts(without))
        return cls(card, fragments.head(card), fragments.facts(card), after)


@dataclass(slots=True)
class _Kept:
    source: Sequence[CourseRecord]
    built: list[_Built]
    entries: list[Entry] = field(default_factory=list)
    states_at: datetime | None = None


class CatalogueCards:
    """One per app; `entries` for the records that `CatalogueCache.with_organizers` gives,
    kept per organizer key (None: every organizer's)."""

    def __init__(self) -> None:
        self._kept: dict[str | None, _Kept] = {}

    def entries(
        self,
        courses: Sequence[CourseRecord],
        *,
        env: Environment,
        now: datetime,
        tz: ZoneInfo,
        key: str | None = None,
    ) -> list[Entry]:
        if not courses:
            return []  # nothing kept for an unknown key (any path can name one)
        kept = self._kept.get(key)
        if kept is None or courses is not kept.source:
            # Macros of an autoescaping environment return Markup, escaped already.
            fragments: Any = env.get_template("_card.html").module
            cards = [_Built.of(course_card(course), fragments) for course in courses]
            kept = self._kept[key] = _Kept(courses, cards)
        elif kept.states_at is not None and kept.states_at <= now < kept.states_at + STATES_KEPT:
            return kept.entries
        entries = []
        for course, built in zip(courses, kept.built, strict=True):
            state = state_view(course, course.state(now=now, tz=tz), now=now, tz=tz)
            if built.after_share is not None and not share_applies(course, now=now, tz=tz):
                card, facts = built.after_share
            else:
                card, facts = built.card, built.facts
            entries.append(Entry(card, state, built.head, facts))
        kept.entries, kept.states_at = entries, now
        return entries
