"""Which organizer a schedule file belongs to, and the organizer-scoped checks of an import.

A file that names no organizer belongs to the deployment's only one (made on first use from
the COURSES_MAIL_FROM setting's name, key `default`); a file that names one it does not know
adopts that placeholder, so a single-county database keeps its data when its files start to
say whose they are. With several organizers a file must say which.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.errors import Forbidden
from courses.domain.permissions import Actor
from courses.schedule.load import Problem, ScheduleError
from courses.schedule.spec import OrganizerSpec
from courses.settings import Settings
from courses.storage.organizers import (
    DEFAULT_KEY,
    OrganizerRecord,
    all_organizers,
    create_organizer,
    organizer_by_key,
    update_organizer,
)

__all__ = ["organizer_for_import", "organizer_name"]


def organizer_name(settings: Settings) -> str:
    name, address = parseaddr(settings.mail_from)
    return name or address or "Utbildningar"


async def organizer_for_import(
    conn: AsyncConnection,
    spec: OrganizerSpec | None,
    *,
    actor: Actor,
    settings: Settings,
    now: datetime,
    source: str,
) -> tuple[OrganizerRecord, list[str] | None]:
    """The organizer the file's employers and courses belong to, created or updated as the
    file says: (organizer, None when created, else the changed fields' lines)."""
    existing = await all_organizers(conn)
    if spec is None:
        if len(existing) > 1:
            raise ScheduleError(
                source,
                [
                    Problem(
                        "organizer",
                        "Tjänsten har flera arrangörer; ange vilken filen gäller med "
                        "[organizer] och key.",
                    )
                ],
            )
        if existing:
            _check(actor, existing[0])
            return existing[0], []
        _check_create(actor)
        created = await create_organizer(
            conn, key=DEFAULT_KEY, name=organizer_name(settings), mail_from=None, now=now
        )
        return created, None
    stored = await organizer_by_key(conn, spec.key)
    if stored is None and len(existing) == 1 and existing[0].placeholder:
        stored = existing[0]
    if stored is None:
        _check_create(actor)
        created = await create_organizer(
            conn, key=spec.key, name=spec.name, mail_from=spec.mail_from, now=now
        )
        return created, None
    _check(actor, stored)
    wanted = (spec.key, spec.name, spec.mail_from)
    if (stored.key, stored.name, stored.mail_from) == wanted:
        return stored, []
    changes = [
        f"{label}: {old or '–'} → {new or '–'}"
        for label, old, new in zip(
            ("nyckel", "namn", "avsändare"),
            (stored.key, stored.name, stored.mail_from),
            wanted,
            strict=True,
        )
        if old != new
    ]
    updated = await update_organizer(
        conn, stored.id, key=spec.key, name=spec.name, mail_from=spec.mail_from
    )
    return updated, changes


def _check(actor: Actor, organizer: OrganizerRecord) -> None:
    if not actor.administers(organizer.id):
        raise Forbidden("Du är inte administratör för den arrangör som filen gäller.")


def _check_create(actor: Actor) -> None:
    if not actor.superadmin:
        raise Forbidden("Bara tjänstens huvudadministratör kan lägga till en ny arrangör.")
