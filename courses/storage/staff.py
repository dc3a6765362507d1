"""Statements of staff access: accounts, sign-in links, sessions and program tokens.

Every secret is looked up by its SHA-256; spending a link or ending a session is one
conditional UPDATE, so two clicks at once sign in once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.storage.staff_tables import (
    api_token_table,
    sign_in_table,
    staff_account_table,
    staff_session_table,
)

__all__ = [
    "AccountRecord",
    "LinkRecord",
    "TokenRecord",
    "accounts",
    "add_account",
    "add_token",
    "create_link",
    "create_session",
    "end_session",
    "link_by_hash",
    "links_by_ids",
    "live_links",
    "remove_account",
    "revoke_token",
    "session_by_hash",
    "spend_link",
    "token_by_hash",
    "tokens",
]

_ACCOUNT = staff_account_table.c
_LINK = sign_in_table.c
_SESSION = staff_session_table.c
_TOKEN = api_token_table.c


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: int
    email: str
    email_key: str
    role: str
    organizer_id: int | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class LinkRecord:
    id: int
    email: str
    email_key: str
    token_nonce: str
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    role: str
    organizer_id: int | None
    email: str | None
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _account(row: Any) -> AccountRecord:
    return AccountRecord(row.id, row.email, row.email_key, row.role, row.organizer_id, row.name)


def _link(row: Any) -> LinkRecord:
    return LinkRecord(
        row.id, row.email, row.email_key, row.token_nonce, row.expires_at, row.used_at
    )


def _token(row: Any) -> TokenRecord:
    return TokenRecord(
        row.id,
        row.role,
        row.organizer_id,
        row.email,
        row.label,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )


async def accounts(conn: AsyncConnection, *, email_key: str | None = None) -> list[AccountRecord]:
    query = select(staff_account_table).order_by(_ACCOUNT.email_key, _ACCOUNT.id)
    if email_key is not None:
        query = query.where(_ACCOUNT.email_key == email_key)
    return [_account(row) for row in await conn.execute(query)]


async def add_account(
    conn: AsyncConnection,
    *,
    email: str,
    email_key: str,
    role: str,
    organizer_id: int | None,
    now: datetime,
    name: str | None = None,
) -> bool:
    """False when the person already has that role."""
    found = await conn.execute(
        select(_ACCOUNT.id).where(
            _ACCOUNT.email_key == email_key,
            _ACCOUNT.role == role,
            _ACCOUNT.organizer_id.is_(None)
            if organizer_id is None
            else _ACCOUNT.organizer_id == organizer_id,
        )
    )
    if found.first() is not None:
        return False
    await conn.execute(
        staff_account_table.insert().values(
            email=email,
            email_key=email_key,
            name=name,
            role=role,
            organizer_id=organizer_id,
            created_at=now,
        )
    )
    return True


async def remove_account(conn: AsyncConnection, account_id: int) -> bool:
    result = await conn.execute(delete(staff_account_table).where(_ACCOUNT.id == account_id))
    return bool(result.rowcount)


async def create_link(
    conn: AsyncConnection,
    *,
    email: str,
    email_key: str,
    token_hash: str,
    nonce: str,
    now: datetime,
    expires_at: datetime,
) -> int:
    found = await conn.execute(
        sign_in_table.insert()
        .values(
            email=email,
            email_key=email_key,
            token_hash=token_hash,
            token_nonce=nonce,
            created_at=now,
            expires_at=expires_at,
        )
        .returning(_LINK.id)
    )
    return int(found.scalar_one())


async def link_by_hash(conn: AsyncConnection, token_hash: str) -> LinkRecord | None:
    row = (await conn.execute(select(sign_in_table).where(_LINK.token_hash == token_hash))).first()
    return None if row is None else _link(row)


async def links_by_ids(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, LinkRecord]:
    rows = await conn.execute(select(sign_in_table).where(_LINK.id.in_(ids)))
    return {row.id: _link(row) for row in rows}


async def live_links(conn: AsyncConnection, *, email_key: str, now: datetime) -> int:
    found = await conn.execute(
        select(func.count()).where(
            _LINK.email_key == email_key, _LINK.used_at.is_(None), _LINK.expires_at > now
        )
    )
    return int(found.scalar_one())


async def spend_link(conn: AsyncConnection, token_hash: str, *, now: datetime) -> str | None:
    """Use the link once, if it is unused and unexpired: its address, else None."""
    found = await conn.execute(
        update(sign_in_table)
        .where(_LINK.token_hash == token_hash, _LINK.used_at.is_(None), _LINK.expires_at > now)
        .values(used_at=now)
        .returning(_LINK.email)
    )
    row = found.first()
    return None if row is None else str(row[0])


async def create_session(
    conn: AsyncConnection,
    *,
    token_hash: str,
    email: str,
    email_key: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        staff_session_table.insert().values(
            token_hash=token_hash,
            email=email,
            email_key=email_key,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def session_by_hash(
    conn: AsyncConnection, token_hash: str, *, now: datetime
) -> tuple[str, str] | None:
    """(email, email key) of a live session."""
    row = (
        await conn.execute(
            select(_SESSION.email, _SESSION.email_key).where(
                _SESSION.token_hash == token_hash,
                _SESSION.ended_at.is_(None),
                _SESSION.expires_at > now,
            )
        )
    ).first()
    return None if row is None else (str(row[0]), str(row[1]))


async def end_session(conn: AsyncConnection, token_hash: str, *, now: datetime) -> None:
    await conn.execute(
        update(staff_session_table)
        .where(_SESSION.token_hash == token_hash, _SESSION.ended_at.is_(None))
        .values(ended_at=now)
    )


async def add_token(
    conn: AsyncConnection,
    *,
    token_hash: str,
    role: str,
    organizer_id: int | None,
    email: str | None,
    label: str,
    now: datetime,
) -> int:
    found = await conn.execute(
        api_token_table.insert()
        .values(
            token_hash=token_hash,
            role=role,
            organizer_id=organizer_id,
            email=email,
            label=label,
            created_at=now,
        )
        .returning(_TOKEN.id)
    )
    return int(found.scalar_one())


async def tokens(conn: AsyncConnection) -> list[TokenRecord]:
    return [_token(row) for row in await conn.execute(select(api_token_table).order_by(_TOKEN.id))]


async def token_by_hash(
    conn: AsyncConnection, token_hash: str, *, now: datetime
) -> TokenRecord | None:
    """A live token, its last use noted (one statement: the lookup is the update)."""
    row = (
        await conn.execute(
            update(api_token_table)
            .where(_TOKEN.token_hash == token_hash, _TOKEN.revoked_at.is_(None))
            .values(last_used_at=now)
            .returning(*api_token_table.c)
        )
    ).first()
    return None if row is None else _token(row)


async def revoke_token(conn: AsyncConnection, token_id: int, *, now: datetime) -> bool:
    result = await conn.execute(
        update(api_token_table)
        .where(_TOKEN.id == token_id, _TOKEN.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)
