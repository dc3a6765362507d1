"""The ids of stored rows: what a number from outside may be before anyone looks it up.

Every id column is a 32-bit integer on PostgreSQL (`integer`, int4) and at most 64 bits on
SQLite; a larger number cannot name a row, and handing it to the database fails there (an
out-of-range error, not "no such row"). One bound for both, checked where a number comes in.
"""

from __future__ import annotations

__all__ = ["MAX_ID", "is_stored_id"]

MAX_ID = 2**31 - 1
"""The largest id a row can have: PostgreSQL's `integer`."""


def is_stored_id(value: int) -> bool:
    """Whether `value` can be a row's id at all (1 to MAX_ID)."""
    return 1 <= value <= MAX_ID
