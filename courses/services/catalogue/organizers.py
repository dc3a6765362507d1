"""Who arranges what a visitor sees: the organizers on `/`, each one's own catalogue, and the
name and address its public pages give.

With one organizer the deployment looks as it always did (`/` is its catalogue); with several,
`/` lists them and each has `/{key}/` (courses.links.organizer_home).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr

from courses.domain.errors import ItemNotFound
from courses.links import organizer_home
from courses.services.context import ServiceContext
from courses.settings import Settings
from courses.storage.organizers import OrganizerRecord, all_organizers

__all__ = ["Front", "front_by_key", "front_of", "fronts", "fronts_of", "unknown_organizer"]


@dataclass(frozen=True, slots=True)
class Front:
    """One organizer as its public pages name it."""

    id: int
    key: str
    name: str
    contact: str
    """The address questions go to: the organizer's sender, else COURSES_MAIL_FROM's."""
    several: bool
    """Whether the deployment has other organizers too (then pages name this one)."""

    @property
    def home(self) -> str:
        return organizer_home(self.key, several=self.several)

    @classmethod
    def of(cls, organizer: OrganizerRecord, settings: Settings, *, several: bool) -> Front:
        contact = parseaddr(organizer.mail_from or settings.mail_from)[1]
        return cls(organizer.id, organizer.key, organizer.name, contact, several)


def unknown_organizer(key: str) -> ItemNotFound:
    return ItemNotFound(f"Det finns ingen arrangör med nyckeln {key!r}.")


def fronts_of(organizers: Sequence[OrganizerRecord], settings: Settings) -> list[Front]:
    """The organizers as the public pages name them, by name (plain Unicode order: only Å/Ä/Ö
    sort after Z)."""
    several = len(organizers) > 1
    found = [Front.of(o, settings, several=several) for o in organizers]
    return sorted(found, key=lambda f: (f.name.casefold(), f.key))


async def fronts(ctx: ServiceContext) -> list[Front]:
    """Every organizer, as `fronts_of` names them."""
    async with ctx.db.read() as conn:
        organizers = await all_organizers(conn)
    return fronts_of(organizers, ctx.settings)


async def front_by_key(ctx: ServiceContext, key: str) -> Front:
    """The organizer with `key`; ItemNotFound (Swedish) for an unknown key."""
    found = next((f for f in await fronts(ctx) if f.key == key), None)
    if found is None:
        raise unknown_organizer(key)
    return found


async def front_of(ctx: ServiceContext, organizer_id: int) -> Front | None:
    """The organizer of a course (None for a course of none, which older data may have)."""
    return next((f for f in await fronts(ctx) if f.id == organizer_id), None)
