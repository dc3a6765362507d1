"""Gallring: when a course's registrants' personal data is due to be purged.

Days are the organizer's local days: a course whose last session was on 10 May 2022 is purged,
with 365 days of retention, from 10 May 2023 (Europe/Stockholm), whatever the hour.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["purge_through"]


def purge_through(now: datetime, *, tz: ZoneInfo, retention_days: int) -> date | None:
    """The latest last-session day whose course is due now; None when retention is off (0).

    A course is due when whole local days from its last session to today are at least
    `retention_days`.
    """
    if retention_days <= 0:
        return None
    return now.astimezone(tz).date() - timedelta(days=retention_days)
