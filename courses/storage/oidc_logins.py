"""Statements of sign-in at an organizer's OpenID provider: the organizers' provider settings
(the `oidc` JSON column as stored) and the sign-ins started there (`oidc_login`), each spent
once by a conditional UPDATE so that a replayed callback signs no one in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.staff_tables import oidc_login_table
from courses.storage.tables import organizer_table

__all__ = [
    "OidcOrganizer",
    "StartedLogin",
    "add_login",
    "oidc_organizer",
    "oidc_organizers",
    "spend_login",
]

_ORG = organizer_table.c
_LOGIN = oidc_login_table.c


@dataclass(frozen=True, slots=True)
class OidcOrganizer:
    id: int
    key: str
    sign_in: str
    settings: dict[str, Any]
    """{"issuer", "client_id", "name", "scopes", "domains"} as stored."""


@dataclass(frozen=True, slots=True)
class StartedLogin:
    organizer_id: int
    nonce: str
    code_verifier: str


def _organizer(row: Any) -> OidcOrganizer:
    return OidcOrganizer(id=row.id, key=row.key, sign_in=row.sign_in, settings=dict(row.oidc))


async def oidc_organizers(conn: AsyncConnection) -> list[OidcOrganizer]:
    """Organizers that name a provider, by key."""
    rows = await conn.execute(
        select(_ORG.id, _ORG.key, _ORG.sign_in, _ORG.oidc)
        .where(_ORG.oidc.is_not(None))
        .order_by(_ORG.key)
    )
    return [_organizer(row) for row in rows if row.oidc]


async def oidc_organizer(conn: AsyncConnection, key: str) -> OidcOrganizer | None:
    row = (
        await conn.execute(
            select(_ORG.id, _ORG.key, _ORG.sign_in, _ORG.oidc).where(_ORG.key == key)
        )
    ).first()
    return None if row is None or not row.oidc else _organizer(row)


async def add_login(
    conn: AsyncConnection,
    *,
    state_hash: str,
    organizer_id: int,
    nonce: str,
    code_verifier: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    # Sign-ins never finished are dropped once long expired: the table stays small.
    await conn.execute(delete(oidc_login_table).where(_LOGIN.expires_at < now))
    await conn.execute(
        oidc_login_table.insert().values(
            state_hash=state_hash,
            organizer_id=organizer_id,
            nonce=nonce,
            code_verifier=code_verifier,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def spend_login(
    conn: AsyncConnection, state_hash: str, *, organizer_id: int, now: datetime
) -> StartedLogin | None:
    """Use the started sign-in once, if unused and unexpired; else None."""
    found = await conn.execute(
        update(oidc_login_table)
        .where(
            _LOGIN.state_hash == state_hash,
            _LOGIN.organizer_id == organizer_id,
            _LOGIN.used_at.is_(None),
            _LOGIN.expires_at > now,
        )
        .values(used_at=now)
        .returning(_LOGIN.organizer_id, _LOGIN.nonce, _LOGIN.code_verifier)
    )
    row = found.first()
    return None if row is None else StartedLogin(row[0], row[1], row[2])
