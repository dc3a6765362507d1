"""Employers, as every layer speaks of them: the API's schemas, the services and storage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["EmployerKind", "EmployerRecord"]

EmployerKind = Literal["municipality", "region"]


@dataclass(frozen=True, slots=True)
class EmployerRecord:
    """An employer whose staff may register: work-mail domains (subdomains count too) and the
    organizer it belongs to."""

    id: int
    key: str
    name: str
    kind: EmployerKind
    domains: list[str]
    organizer_id: int
