"""The public addresses that answers and mails link to: built here and nowhere else."""

from __future__ import annotations

__all__ = ["manage_url"]


def manage_url(base_url: str, token: str) -> str:
    """The registrant's own page; `token` is its last path segment (only its hash is stored)."""
    return f"{base_url}/api/registrations/{token}"
