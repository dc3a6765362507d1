"""What every service needs: the database, the clock and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from courses.clock import Clock
from courses.services.cache import CatalogCache
from courses.settings import Settings
from courses.storage.db import Database

__all__ = ["ServiceContext"]


@dataclass(frozen=True, slots=True)
class ServiceContext:
    db: Database
    clock: Clock
    settings: Settings
    cache: CatalogCache = field(default_factory=CatalogCache)

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz
