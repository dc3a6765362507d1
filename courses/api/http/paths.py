"""Which paths are the API's (problem+json, bearer tokens) and which are pages (HTML, forms),
and what one segment of an API path may hold.

A module of its own so that the staff identity and the pages can both ask it without
importing each other.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

__all__ = ["PathSegment", "is_api_path"]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/metrics"


# A slug or token as it arrives in the path: whatever it is, not a control character (NUL would
# reach the database, which refuses it). Anything else that names nothing is a 404.
PathSegment = Annotated[
    str, PathParameter(min_length=1, pattern=r"^[^\x00-\x1f\x7f-\x9f]+(?![\s\S])")
]
