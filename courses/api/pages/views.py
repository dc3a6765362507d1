"""View models that several audiences' pages show alike: a course's leaders and its sessions
(on the course page, the registrant's page and the manager's approval page)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LeaderView", "SessionView"]


@dataclass(frozen=True, slots=True)
class LeaderView:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class SessionView:
    day: str
    time: str
    where: str
