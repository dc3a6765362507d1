"""Small readers of API answers shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["field_errors", "problem_type", "token_of"]


def problem_type(response: httpx.Response) -> str:
    """The stable code of a problem+json answer (the end of its `type`)."""
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["type"].rsplit("/", 1)[1])


def field_errors(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json().get("errors", [])}


def token_of(created: dict[str, Any]) -> str:
    return str(created["manage_url"].rsplit("/", 1)[1])
