"""Which paths are the API's (problem+json, bearer tokens) and which are pages (HTML, forms).

A module of its own so that the staff authentication and the pages can both ask it without
importing each other.
"""

from __future__ import annotations

__all__ = ["is_api_path"]


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path == "/metrics"
