"""Who a staff member is and what they may see: the one permission check of the staff side.

The CLI, the API and the pages all hand the services an `Actor`; the services ask these rules.
A course that is not the actor's is treated as missing, so a leader probing other courses
learns nothing (the same 404 as for a course that does not exist).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from courses.domain.addresses import normalize_email
from courses.domain.courses import Leader

__all__ = ["Actor", "Role", "leader_keys"]


class Role(StrEnum):
    ADMIN = "admin"
    LEADER = "leader"
    SUPERADMIN = "superadmin"


def leader_keys(leaders: Iterable[Leader]) -> set[str]:
    """The normalised addresses of a course's leaders (those that give one)."""
    return {normalize_email(email) for leader in leaders if (email := leader.get("email"))}


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in person, a program with a token, or the command line.

    `label` is what the audit log shows; `leader_key` is the normalised address that makes
    someone a leader of the courses listing it (None for an admin token); `admin_of` the
    organizers whose admin they are.
    """

    label: str
    leader_key: str | None = None
    admin_of: frozenset[int] = field(default_factory=frozenset)
    superadmin: bool = False

    @classmethod
    def command_line(cls) -> Actor:
        return cls(label="kommandoraden", superadmin=True)

    @property
    def is_admin(self) -> bool:
        return self.superadmin or bool(self.admin_of)

    def administers(self, organizer_id: int | None) -> bool:
        return self.superadmin or (organizer_id is not None and organizer_id in self.admin_of)

    def leads(self, leaders: Iterable[Leader]) -> bool:
        return self.leader_key is not None and self.leader_key in leader_keys(leaders)

    def may_see_course(self, *, organizer_id: int, leaders: Iterable[Leader]) -> bool:
        """Its leaders, its organizer's admins and the super-admins see a course's people."""
        return self.administers(organizer_id) or self.leads(leaders)
