"""Bearer tokens for programs, and the accounts of people with admin rights.

`courses token create` prints a token once; only its SHA-256 is stored. An admin token is for
one organizer (named, or the only one), a leader token acts as the leader with that address,
a super-admin token sees every organizer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from courses.domain.addresses import normalize_email
from courses.domain.errors import (
    FieldError,
    Forbidden,
    InvalidInput,
    ItemNotFound,
    StaffConflict,
)
from courses.domain.permissions import Actor, Role
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.staff.admins import (
    add_account,
    list_accounts,
    organizer_of,
    remove_account,
)
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
    """A new token, returned once with its secret (only the hash is kept).

    The command line makes any kind; an admin makes admin tokens of their own organizer.
    Raises Forbidden, InvalidInput (an empty or overlong label) and StaffConflict.
    """
    actor = actor or Actor.command_line()
    require_admin(actor)
    if role is not Role.ADMIN and not actor.superadmin:
        raise Forbidden("Bara en huvudadministratör kan skapa den sortens token.")
    label = label.strip()
    if not label or len(label) > 200:
        message = "Skriv vad token ska användas till (högst 200 tecken)."
        raise InvalidInput(message, [FieldError("label", message)])
    organizer = None
    if role is Role.ADMIN and actor.superadmin:
        organizer = await resolve_organizer(ctx, organizer_key)
    elif role is Role.ADMIN:  # an admin's token is for their own organizer
        async with ctx.db.read() as conn:
            organizer = await organizer_of(conn, actor, organizer_key)
    if organizer is not None and not actor.administers(organizer.id):
        raise Forbidden("Du är inte administratör för den arrangören.")
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
            details={"token_id": token_id, "role": role.value, "email": email, "label": label},
        )
    return NewToken(token_id, token, role, organizer, email)


async def list_tokens(ctx: ServiceContext, actor: Actor | None = None) -> list[TokenRecord]:
    """Every token (the command line), or the tokens of the admin's organizers."""
    actor = actor or Actor.command_line()
    require_admin(actor)
    async with ctx.db.read() as conn:
        found = await staff.tokens(conn)
    if actor.superadmin:
        return found
    return [t for t in found if t.organizer_id is not None and actor.administers(t.organizer_id)]


async def revoke_token(ctx: ServiceContext, token_id: int, *, actor: Actor | None = None) -> None:
    """Revoke a live token at once. Raises ItemNotFound (unknown, revoked already, or of an
    organizer the actor does not administer)."""
    actor = actor or Actor.command_line()
    require_admin(actor)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = next((t for t in await staff.tokens(conn) if t.id == token_id), None)
        mine = found is not None and (
            actor.superadmin
            or (found.organizer_id is not None and actor.administers(found.organizer_id))
        )
        if found is None or not mine or not await staff.revoke_token(conn, token_id, now=now):
            raise ItemNotFound(f"Det finns ingen giltig token med id {token_id}.")
        await record(
            conn,
            actor,
            "token.revoke",
            at=now,
            organizer_id=found.organizer_id,
            summary=f"Återkallade token {token_id} ({found.label}).",
            details={"token_id": token_id, "label": found.label},
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
