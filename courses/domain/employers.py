"""Employers, as every layer speaks of them: the API's schemas, the services and storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["EmployerKind", "EmployerRecord"]

EmployerKind = Literal["municipality", "region"]


@dataclass(frozen=True, slots=True)
class EmployerRecord:
    """An employer whose staff may register (unless retired): work-mail domains (subdomains
    count too) and the organizer it belongs to."""

    id: int
    key: str
    name: str
    kind: EmployerKind
    domains: list[str]
    organizer_id: int
    retired_at: datetime | None = None
    """When an admin retired the employer: its staff can no longer register; its
    registrations and statistics stay. None: active."""

    @property
    def retired(self) -> bool:
        return self.retired_at is not None
