"""The table of the daily purge: one row per local day on which the worker ran it.

No `from __future__ import annotations` here (SQLModel reads the annotations). The day is the
primary key, so the worker that inserts it is the one that purges that day, however many run.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from courses.storage.types import UTCDateTime

__all__ = ["PurgeRun", "purge_run_table"]


class PurgeRun(SQLModel, table=True):
    __tablename__ = "purge_run"

    day: date = Field(primary_key=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    # Registrations purged by this run (None until it finished; a crash leaves it so).
    purged: int | None = None


purge_run_table: Any = PurgeRun.__table__  # type: ignore[attr-defined]
