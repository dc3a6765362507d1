"""Which paths are the API's (problem+json, bearer tokens) and which are pages (HTML, forms),
and what one segment of an API path may hold.

A module of its own so that the staff identity and the pages can both ask it without
importing each other.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import PathParameter

from courses.domain.errors import ItemNotFound, RegistrationNotFound
from courses.domain.ids import is_stored_id

__all__ = ["PathSegment", "is_api_path", "known_ids", "printable_page_paths"]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/metrics"


# A slug or token as it arrives in the path: whatever it is, not a control character (NUL would
# reach the database, which refuses it). Anything else that names nothing is a 404.
PathSegment = Annotated[
    str, PathParameter(min_length=1, pattern=r"^[^\x00-\x1f\x7f-\x9f]+(?![\s\S])")
]


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


async def printable_page_paths(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A guard for every route: a page or static file whose path holds a control character
    (`/static/courses.css%00.html`) names nothing, a 404 page, before a file system or a
    database sees it (both refuse NUL). The API's segments answer their own 400 (PathSegment).

    Both guards here are async: Litestar runs a sync guard in a worker thread, which made two
    thread hops on every request for a regex and a loop."""
    path = connection.scope["path"]
    if _CONTROL.search(path) and not is_api_path(path):
        raise NotFoundException()


_MISSING = {
    "registration_id": "Det finns ingen anmälan med id {}.",
    "mail_id": "Det finns inget brev med id {}.",
    "account_id": "Det finns inget konto med id {}.",
    "token_id": "Det finns ingen giltig token med id {}.",
}


async def known_ids(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard for every route: an id in the path too large for any row (courses.domain.ids)
    is answered as one that does not exist (the API's problem for that resource, a page's
    404), before it reaches the database, which would refuse it. Zero and below stay the
    parameters' own 400."""
    for name, value in connection.path_params.items():
        if isinstance(value, int) and value > 0 and not is_stored_id(value):
            if not is_api_path(connection.scope["path"]):
                raise NotFoundException()  # as the pages answer an id that is not there
            detail = _MISSING.get(name, "Det finns inget med id {}.").format(value)
            if name == "registration_id":
                raise RegistrationNotFound(detail)
            raise ItemNotFound(detail)
