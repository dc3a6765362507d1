"""Organizers: who arranges courses, with their own employers, courses, admins and sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.oidc import SIGN_IN_MODES, OidcSettings, SignInMode
from courses.storage.tables import organizer_table

__all__ = [
    "DEFAULT_KEY",
    "OrganizerRecord",
    "all_organizers",
    "create_organizer",
    "organizer_by_id",
    "organizer_by_key",
    "update_organizer",
]

DEFAULT_KEY = "default"
"""The organizer made for a file (or an older database) that names none."""

_ORG = organizer_table.c


@dataclass(frozen=True, slots=True)
class OrganizerRecord:
    id: int
    key: str
    name: str
    mail_from: str | None
    oidc: OidcSettings | None = None
    """The OpenID Connect provider its staff sign in with (`[organizer.oidc]`)."""
    sign_in: SignInMode = "link_and_oidc"
    """`oidc`: the mailed link is off for the provider's domains."""

    @property
    def placeholder(self) -> bool:
        return self.key == DEFAULT_KEY


def _record(row: Any) -> OrganizerRecord:
    oidc = OidcSettings.from_json(row.oidc) if row.oidc else None
    sign_in = cast(SignInMode, row.sign_in) if row.sign_in in SIGN_IN_MODES else "link_and_oidc"
    return OrganizerRecord(row.id, row.key, row.name, row.mail_from, oidc, sign_in)


async def all_organizers(conn: AsyncConnection) -> list[OrganizerRecord]:
    rows = await conn.execute(select(organizer_table).order_by(_ORG.id))
    return [_record(row) for row in rows]


async def organizer_by_key(conn: AsyncConnection, key: str) -> OrganizerRecord | None:
    row = (await conn.execute(select(organizer_table).where(_ORG.key == key))).first()
    return None if row is None else _record(row)


async def organizer_by_id(conn: AsyncConnection, organizer_id: int) -> OrganizerRecord | None:
    row = (await conn.execute(select(organizer_table).where(_ORG.id == organizer_id))).first()
    return None if row is None else _record(row)


async def create_organizer(
    conn: AsyncConnection,
    *,
    key: str,
    name: str,
    mail_from: str | None,
    now: datetime,
    oidc: OidcSettings | None = None,
    sign_in: SignInMode = "link_and_oidc",
) -> OrganizerRecord:
    found = await conn.execute(
        organizer_table.insert()
        .values(
            key=key,
            name=name,
            mail_from=mail_from,
            created_at=now,
            oidc=oidc.as_json() if oidc else None,
            sign_in=sign_in,
        )
        .returning(_ORG.id)
    )
    return OrganizerRecord(int(found.scalar_one()), key, name, mail_from, oidc, sign_in)


async def update_organizer(
    conn: AsyncConnection,
    organizer_id: int,
    *,
    key: str,
    name: str,
    mail_from: str | None,
    oidc: OidcSettings | None,
    sign_in: SignInMode,
) -> OrganizerRecord:
    """Set every field (pass the stored `oidc` and `sign_in` to keep them)."""
    await conn.execute(
        update(organizer_table)
        .where(_ORG.id == organizer_id)
        .values(
            key=key,
            name=name,
            mail_from=mail_from,
            oidc=oidc.as_json() if oidc else None,
            sign_in=sign_in,
        )
    )
    return OrganizerRecord(organizer_id, key, name, mail_from, oidc, sign_in)
