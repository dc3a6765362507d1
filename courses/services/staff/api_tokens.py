"""Bearer tokens for programs, and the accounts of people with admin rights.

`courses token create` prints a token once; only its SHA-256 is stored. An admin token is for
one organizer (named, or the only one), a leader token acts as the leader with that address,
a super-admin token sees every organizer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from courses.domain.addresses import normalize_email
from courses.domain.errors import CourseNotFound, StaffConflict
from courses.domain.permissions import Actor, Role
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.tokens import hash_token
from courses.storage import staff
from courses.storage.organizers import OrganizerRecord, all_organizers, organizer_by_key
from courses.storage.staff import AccountRecord, TokenRecord

__all__ = [
    "TOKEN_PREFIX",
    "AccountRecord",
    "NewToken",
    "TokenRecord",
    "actor_for_token",
    "add_account",
    "create_token",
    "list_accounts",
    "list_tokens",
    "remove_account",
    "resolve_organizer",
    "revoke_token",
]

TOKEN_PREFIX = "crs_"  # noqa: S105 - a marker, not a secret
"""Marks a courses token in logs and secret scanners."""


@dataclass(frozen=True, slots=True)
class NewToken:
    id: int
    token: str
    role: Role
    organizer: OrganizerRecord | None
    email: str | None


async def resolve_organizer(ctx: ServiceContext, key: str | None) -> OrganizerRecord:
    """The organizer named, or the only one; CourseNotFound-like refusal otherwise."""
    async with ctx.db.read() as conn:
        if key is not None:
            found = await organizer_by_key(conn, key)
            if found is None:
                raise StaffConflict(f"Det finns ingen arrangör med nyckeln {key!r}.")
            return found
        organizers = await all_organizers(conn)
    if len(organizers) == 1:
        return organizers[0]
    if not organizers:
        raise StaffConflict("Det finns ingen arrangör än; importera en schemafil först.")
    keys = ", ".join(o.key for o in organizers)
    raise StaffConflict(f"Det finns flera arrangörer; ange en med --organizer ({keys}).")


async def create_token(
    ctx: ServiceContext,
    role: Role,
    *,
    label: str,
    organizer_key: str | None = None,
    email: str | None = None,
    actor: Actor | None = None,
) -> NewToken:
    actor = actor or Actor.command_line()
    organizer = await resolve_organizer(ctx, organizer_key) if role is Role.ADMIN else None
    if role is Role.LEADER and not email:
        raise StaffConflict("En kursledartoken behöver kursledarens e-postadress.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        token_id = await staff.add_token(
            conn,
            token_hash=hash_token(token),
            role=role.value,
            organizer_id=organizer.id if organizer else None,
            email=email.strip() if email else None,
            label=label,
            now=now,
        )
        await record(
            conn,
            actor,
            "token.create",
            at=now,
            organizer_id=organizer.id if organizer else None,
            summary=f"Skapade token {token_id} ({role.value}, {label}).",
            details={"token_id": token_id, "role": role.value, "email": email},
        )
    return NewToken(token_id, token, role, organizer, email)


async def list_tokens(ctx: ServiceContext) -> list[TokenRecord]:
    async with ctx.db.read() as conn:
        return await staff.tokens(conn)


async def revoke_token(ctx: ServiceContext, token_id: int, *, actor: Actor | None = None) -> None:
    actor = actor or Actor.command_line()
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        if not await staff.revoke_token(conn, token_id, now=now):
            raise CourseNotFound(f"Det finns ingen giltig token med id {token_id}.")
        await record(
            conn,
            actor,
            "token.revoke",
            at=now,
            organizer_id=None,
            summary=f"Återkallade token {token_id}.",
            details={"token_id": token_id},
        )


async def actor_for_token(ctx: ServiceContext, token: str) -> Actor | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    async with ctx.db.write() as conn:
        found = await staff.token_by_hash(conn, hash_token(token), now=ctx.clock.now())
    if found is None:
        return None
    label = f"token {found.id} ({found.label})"
    if found.role == Role.SUPERADMIN:
        return Actor(label=label, superadmin=True)
    if found.role == Role.ADMIN and found.organizer_id is not None:
        return Actor(label=label, admin_of=frozenset({found.organizer_id}))
    if found.role == Role.LEADER and found.email:
        return Actor(label=f"{label}, {found.email}", leader_key=normalize_email(found.email))
    return None


async def add_account(
    ctx: ServiceContext, email: str, role: Role, *, organizer_key: str | None = None
) -> tuple[bool, OrganizerRecord | None]:
    """Give a person admin rights (of an organizer) or super-admin rights; False if they had
    them already."""
    organizer = await resolve_organizer(ctx, organizer_key) if role is Role.ADMIN else None
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        added = await staff.add_account(
            conn,
            email=email.strip(),
            email_key=normalize_email(email),
            role=role.value,
            organizer_id=organizer.id if organizer else None,
            now=now,
        )
        if added:
            await record(
                conn,
                Actor.command_line(),
                "staff.add",
                at=now,
                organizer_id=organizer.id if organizer else None,
                summary=f"Gav {email.strip()} rollen {role.value}.",
                details={"email": email.strip(), "role": role.value},
            )
    return added, organizer


async def list_accounts(ctx: ServiceContext) -> list[AccountRecord]:
    async with ctx.db.read() as conn:
        return await staff.accounts(conn)


async def remove_account(ctx: ServiceContext, account_id: int) -> None:
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        if not await staff.remove_account(conn, account_id):
            raise CourseNotFound(f"Det finns inget konto med id {account_id}.")
        await record(
            conn,
            Actor.command_line(),
            "staff.remove",
            at=now,
            organizer_id=None,
            summary=f"Tog bort konto {account_id}.",
            details={"account_id": account_id},
        )
