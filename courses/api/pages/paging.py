"""Paging on the pages: which page a link asks for, and the "Föregående"/"Nästa" links.

A page's list parameters are plain GET query parameters, so paging works without JavaScript
and a link can be bookmarked. What cannot be read (`?sida=x`, a page past the end of the
list) shows the first page: a hand-edited or outdated link still shows something.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from courses.domain.paging import MAX_OFFSET, Page, Window

__all__ = ["PAGE_SIZE", "Pager", "first_page_if_past_end", "window_of"]

T = TypeVar("T")

PAGE_SIZE = "antal"
"""The query parameter that asks for fewer rows a page than the page's own number."""


def _whole(value: object) -> int | None:
    if not isinstance(value, str) or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


def window_of(query: Mapping[str, Any], name: str, *, size: int) -> Window:
    """The window the query's page `name` (from 1) asks for, `size` rows a page (fewer with
    `antal`); anything unreadable is the first page."""
    asked = _whole(query.get(PAGE_SIZE))
    if asked is not None and 1 <= asked < size:
        size = asked
    number = _whole(query.get(name)) or 1
    if (number - 1) * size > MAX_OFFSET:
        number = 1
    return Window.page(number, size=size)


async def first_page_if_past_end(
    read: Callable[[Window], Awaitable[Page[T]]], window: Window
) -> Page[T]:
    """`read(window)`, or the first page when the window lies past the end of the list."""
    found = await read(window)
    if not found.items and window.offset > 0:
        return await read(Window(limit=window.limit))
    return found


@dataclass(frozen=True, slots=True)
class Pager:
    """What the pager macro shows: "Visar 51–100 av 312" and the links either way."""

    shown: str
    previous_url: str | None
    next_url: str | None
    label: str
    """The navigation's accessible name: `Sidor i kurslistan`."""

    @classmethod
    def of(
        cls,
        page: Page[Any],
        query: Mapping[str, Any],
        *,
        name: str,
        path: str,
        anchor: str,
        label: str,
    ) -> Pager:
        def address(number: int) -> str:
            kept = {k: v for k, v in query.items() if k != name}
            if number > 1:
                kept[name] = str(number)
            return f"{path}?{urlencode(kept)}#{anchor}" if kept else f"{path}#{anchor}"

        shown = f"Visar {page.first}–{page.last} av {page.total}" if page.items else ""
        return cls(
            shown=shown,
            previous_url=address(page.number - 1) if page.has_previous else None,
            next_url=address(page.number + 1) if page.has_next else None,
            label=label,
        )

    @property
    def needed(self) -> bool:
        return self.previous_url is not None or self.next_url is not None
