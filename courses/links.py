"""The public addresses that answers and mails link to: built here and nowhere else."""

from __future__ import annotations

__all__ = ["manage_url"]


def manage_url(base_url: str, token: str) -> str:
    """The registrant's own page (receipt and manage page in one); `token` is its last path
    segment, which the `/api/registrations/{token}` routes take too (only its hash is stored)."""
    return f"{base_url}/anmalan/{token}"
