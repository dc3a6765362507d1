"""The people with admin rights (`courses staff ...` and `/admin/personal`).

The command line may do anything (it is the operator). An admin in the browser or with a token
manages their own organizer's admins only, and cannot remove themselves when they are the
organizer's last admin: someone must be left who can sign in and add the next one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.addresses import canonical_email, normalize_email
from courses.domain.errors import FieldError, InvalidInput, ItemNotFound, StaffConflict
from courses.domain.permissions import Actor, Role
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.storage import staff
from courses.storage.organizers import OrganizerRecord, all_organizers, organizer_by_key
from courses.storage.staff import AccountRecord
from courses.validation import EMAIL_MESSAGE

__all__ = [
    "AccountRecord",
    "add_account",
    "list_accounts",
    "organizer_of",
    "remove_account",
]


async def organizer_of(conn: AsyncConnection, actor: Actor, key: str | None) -> OrganizerRecord:
    """The organizer named (if the actor administers it), or the actor's only one.

    Raises InvalidInput (field `organizer`) otherwise.
    """
    require_admin(actor)
    if key is not None:
        found = await organizer_by_key(conn, key)
        if found is not None and actor.administers(found.id):
            return found
        message = "Det finns ingen arrangör med den nyckeln som du administrerar."
        raise InvalidInput(message, [FieldError("organizer", message)])
    mine = [o for o in await all_organizers(conn) if actor.administers(o.id)]
    if len(mine) == 1:
        return mine[0]
    message = (
        "Det finns ingen arrangör än; importera en schemafil först."
        if not mine
        else "Du administrerar flera arrangörer; ange vilken (organizer)."
    )
    raise InvalidInput(message, [FieldError("organizer", message)])


async def add_account(
    ctx: ServiceContext,
    email: str,
    role: Role,
    *,
    organizer_key: str | None = None,
    name: str | None = None,
    actor: Actor | None = None,
) -> tuple[bool, OrganizerRecord | None]:
    """Give a person admin rights (of an organizer) or super-admin rights; False if they had
    them already. Only the command line (or a super-admin) makes super-admins.

    Raises Forbidden, InvalidInput (a bad address, an organizer not the actor's).
    """
    actor = actor or Actor.command_line()
    require_admin(actor)
    if role is Role.SUPERADMIN and not actor.superadmin:
        raise InvalidInput(
            "Bara en huvudadministratör kan göra någon till huvudadministratör.",
            [FieldError("role", "Välj administratör.")],
        )
    address = _address(email)
    shown = name.strip() if name and name.strip() else None
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        organizer = await organizer_of(conn, actor, organizer_key) if role is Role.ADMIN else None
        added = await staff.add_account(
            conn,
            email=address,
            email_key=normalize_email(address),
            name=shown,
            role=role.value,
            organizer_id=organizer.id if organizer else None,
            now=now,
        )
        if added:
            who = f"{shown} <{address}>" if shown else address
            await record(
                conn,
                actor,
                "staff.add",
                at=now,
                organizer_id=organizer.id if organizer else None,
                summary=f"Gav {who} rollen {role.value}.",
                details={"email": address, "name": shown, "role": role.value},
            )
    return added, organizer


async def list_accounts(ctx: ServiceContext, actor: Actor | None = None) -> list[AccountRecord]:
    """Every account (the command line), or the admins of the actor's organizers."""
    actor = actor or Actor.command_line()
    require_admin(actor)
    async with ctx.db.read() as conn:
        found = await staff.accounts(conn)
    if actor.superadmin:
        return found
    return [a for a in found if a.role == Role.ADMIN and actor.administers(a.organizer_id)]


async def remove_account(
    ctx: ServiceContext, account_id: int, *, actor: Actor | None = None
) -> AccountRecord:
    """Take a person's admin rights away (by account id); the removed account.

    Raises ItemNotFound (unknown, or another organizer's) and StaffConflict
    (the actor's own account when it is the organizer's last admin).
    """
    actor = actor or Actor.command_line()
    require_admin(actor)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        every = await staff.accounts(conn)
        found = next((a for a in every if a.id == account_id), None)
        mine = found is not None and (
            actor.superadmin or (found.role == Role.ADMIN and actor.administers(found.organizer_id))
        )
        if found is None or not mine:
            raise ItemNotFound(f"Det finns inget konto med id {account_id}.")
        colleagues = [
            a
            for a in every
            if a.role == found.role and a.organizer_id == found.organizer_id and a.id != found.id
        ]
        if found.email_key == actor.leader_key and not colleagues:
            raise StaffConflict(
                "Du är den enda administratören och kan inte ta bort dig själv. "
                "Lägg först till en annan administratör."
            )
        await staff.remove_account(conn, account_id)
        await record(
            conn,
            actor,
            "staff.remove",
            at=now,
            organizer_id=found.organizer_id,
            summary=f"Tog bort {found.email} som {found.role}.",
            details={"account_id": account_id, "email": found.email, "role": found.role},
        )
    return found


def _address(email: str) -> str:
    try:
        return canonical_email(email.strip())
    except ValueError:
        raise InvalidInput(EMAIL_MESSAGE, [FieldError("email", EMAIL_MESSAGE)]) from None
