"""Paging of the API's lists: the query parameters, and the headers that lead on.

A list keeps its JSON shape (a bare array stays an array, so existing clients go on reading
it); where it goes on, the answer carries `Link: <…>; rel="next"` (RFC 8288, the address of
the next page, relative to this one) and, where the count is known, `X-Total-Count`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.params import QueryParameter

from courses.domain.paging import MAX_OFFSET, Page

__all__ = ["Offset", "limit_parameter", "next_link", "paged"]

T = TypeVar("T")

Offset = Annotated[
    int,
    QueryParameter(ge=0, le=MAX_OFFSET, description="Hoppa över så många (bläddra framåt)"),
]


def limit_parameter(maximum: int) -> Any:
    return QueryParameter(ge=1, le=maximum, description=f"Högst så många (1–{maximum})")


def _address(request: Request[Any, Any, Any], changes: Mapping[str, int]) -> str:
    query = {k: v for k, v in request.query_params.items() if k not in changes}
    query.update({k: str(v) for k, v in changes.items()})
    return f"<{request.url.path}?{urlencode(query)}>"


def next_link(request: Request[Any, Any, Any], changes: Mapping[str, int]) -> dict[str, str]:
    """The `Link` header to the page the query `changes` lead to."""
    return {"Link": f'{_address(request, changes)}; rel="next"'}


def paged(request: Request[Any, Any, Any], page: Page[Any], items: list[T]) -> Response[list[T]]:
    """`items` (the page's rows, as the API writes them) with the count and the links on."""
    window = page.window
    links = []
    if page.has_next:
        after = {"limit": window.limit, "offset": window.offset + window.limit}
        links.append(f'{_address(request, after)}; rel="next"')
    if page.has_previous:
        before = {"limit": window.limit, "offset": max(window.offset - window.limit, 0)}
        links.append(f'{_address(request, before)}; rel="prev"')
    headers = {"X-Total-Count": str(page.total)}
    if links:
        headers["Link"] = ", ".join(links)
    return Response(items, headers=headers)
