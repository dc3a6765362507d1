"""An admin manages the employers whose staff may register: within their own organizer.

An employer people have registered with cannot be removed (its registrations, statistics and
attendee lists name it); it is retired instead: no new registrations, everything else kept,
and it can be brought back.

The values are checked by the schedule file's own rules (`EmployerSpec`: a key of letters,
digits and hyphens, a kind, at least one valid domain), so an employer made here could have
come from a file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import msgspec
from msgspec import UNSET, UnsetType
from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.employers import EmployerKind, EmployerRecord
from courses.domain.errors import FieldError, InvalidInput, ItemNotFound, StaffConflict
from courses.domain.permissions import Actor
from courses.schedule.spec import EmployerSpec
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.permissions import organizer_scope, require_admin
from courses.services.schedule.wording import EMPLOYER_FIELDS, diff_lines
from courses.storage.employers import (
    all_employers,
    delete_employer,
    employer_by_key,
    registration_counts,
    save_employer,
    set_retired,
)
from courses.storage.organizers import all_organizers, organizer_by_key
from courses.validation import translate

__all__ = [
    "EmployerChange",
    "change_employer",
    "create_employer",
    "list_employers_for_admin",
    "remove_employer",
    "retire_employer",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EmployerChange:
    """What to change of an employer; UNSET keeps it."""

    name: str | UnsetType = UNSET
    kind: EmployerKind | UnsetType = UNSET
    domains: list[str] | UnsetType = UNSET
    retired: bool | UnsetType = UNSET
    """True retires the employer (no new registrations), False brings it back."""


async def list_employers_for_admin(ctx: ServiceContext, actor: Actor) -> list[EmployerRecord]:
    """The employers of the organizers the actor administers, by key."""
    scope = organizer_scope(actor)
    async with ctx.db.read() as conn:
        found = await all_employers(conn)
    return sorted(
        (e for e in found if scope is None or e.organizer_id in scope), key=lambda e: e.key
    )


async def create_employer(
    ctx: ServiceContext,
    actor: Actor,
    *,
    key: str,
    name: str,
    kind: EmployerKind,
    domains: list[str],
    organizer_key: str | None = None,
) -> EmployerRecord:
    """Add an employer to `organizer_key` (default: the actor's only organizer).

    Raises Forbidden (not an admin), InvalidInput (bad values, or no organizer of the actor's
    named) and StaffConflict (the key is taken).
    """
    require_admin(actor)
    values = _checked(key=key, name=name, kind=kind, domains=domains)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        organizer_id = await _organizer_for(conn, actor, organizer_key)
        if await employer_by_key(conn, key) is not None:
            raise StaffConflict(f"Det finns redan en arbetsgivare med nyckeln {key!r}.")
        await _save(conn, values, organizer_id)
        created = await employer_by_key(conn, key)
        assert created is not None
        await record(
            conn,
            actor,
            "employer.create",
            at=now,
            organizer_id=organizer_id,
            summary=f"Lade till arbetsgivaren {name} ({key}).",
            details={"key": key, "name": name, "kind": kind, "domains": created.domains},
        )
    return created


async def change_employer(
    ctx: ServiceContext, actor: Actor, key: str, change: EmployerChange
) -> EmployerRecord:
    """Change an employer's name, kind or domains (registrations already made stay), or
    retire it or bring it back, in one transaction.

    Raises Forbidden, ItemNotFound (unknown or another organizer's) and InvalidInput.
    """
    require_admin(actor)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        before = await _own(conn, actor, key)
        wanted = replace(
            before,
            name=before.name if change.name is UNSET else change.name,
            kind=before.kind if change.kind is UNSET else change.kind,
            domains=before.domains if change.domains is UNSET else change.domains,
        )
        values = _checked(key=key, name=wanted.name, kind=wanted.kind, domains=wanted.domains)
        changed = await _save(conn, values, before.organizer_id)
        after = await employer_by_key(conn, key)
        assert after is not None
        if changed:
            old = {"name": before.name, "kind": before.kind, "domains": before.domains}
            new = {"name": after.name, "kind": after.kind, "domains": after.domains}
            lines = list(diff_lines(old, new, EMPLOYER_FIELDS))
            await record(
                conn,
                actor,
                "employer.change",
                at=now,
                organizer_id=before.organizer_id,
                summary=f"Ändrade arbetsgivaren {after.name} ({key}): {'; '.join(lines)}.",
                details={"key": key, "changes": lines},
            )
        if change.retired is not UNSET:
            await _retire(conn, actor, after, retired=change.retired, now=now)
            after = await employer_by_key(conn, key)
            assert after is not None
    ctx.cache.forget_employer(key)
    return after


async def remove_employer(ctx: ServiceContext, actor: Actor, key: str) -> None:
    """Remove an employer nobody has registered with; one with registrations stays (the
    statistics and attendee lists name it): retire it instead (`retire_employer`).

    Raises Forbidden, ItemNotFound and StaffConflict (it has registrations).
    """
    require_admin(actor)
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        found = await _own(conn, actor, key)
        active, every = await registration_counts(conn, found.id)
        if active:
            raise StaffConflict(
                f"{found.name} har {active} aktiva anmälningar och kan inte tas bort. "
                "Inaktivera arbetsgivaren i stället: då tas inga nya anmälningar emot."
            )
        if every:
            raise StaffConflict(
                f"{found.name} har tidigare anmälningar som statistiken och deltagarlistorna "
                "bygger på, och kan inte tas bort. Inaktivera arbetsgivaren i stället."
            )
        await delete_employer(conn, found.id)
        await record(
            conn,
            actor,
            "employer.remove",
            at=now,
            organizer_id=found.organizer_id,
            summary=f"Tog bort arbetsgivaren {found.name} ({key}).",
            details={"key": key, "name": found.name, "domains": found.domains},
        )


async def retire_employer(
    ctx: ServiceContext, actor: Actor, key: str, *, retired: bool = True
) -> EmployerRecord:
    """Retire an employer (its staff can no longer register; its registrations and statistics
    stay), or with `retired=False` bring it back. Retiring a retired one changes nothing.

    Raises Forbidden and ItemNotFound (unknown or another organizer's).
    """
    return await change_employer(ctx, actor, key, EmployerChange(retired=retired))


async def _retire(
    conn: AsyncConnection, actor: Actor, found: EmployerRecord, *, retired: bool, now: datetime
) -> None:
    if not await set_retired(conn, found.id, retired_at=now if retired else None):
        return
    action, verb = (
        ("employer.retire", "Inaktiverade") if retired else ("employer.unretire", "Aktiverade")
    )
    await record(
        conn,
        actor,
        action,
        at=now,
        organizer_id=found.organizer_id,
        summary=f"{verb} arbetsgivaren {found.name} ({found.key}).",
        details={"key": found.key, "name": found.name},
    )


async def _own(conn: AsyncConnection, actor: Actor, key: str) -> EmployerRecord:
    found = await employer_by_key(conn, key)
    if found is None or not actor.administers(found.organizer_id):
        raise ItemNotFound(f"Det finns ingen arbetsgivare med nyckeln {key!r}.")
    return found


async def _organizer_for(conn: AsyncConnection, actor: Actor, key: str | None) -> int:
    if key is not None:
        found = await organizer_by_key(conn, key)
        if found is not None and actor.administers(found.id):
            return found.id
        message = "Det finns ingen arrangör med den nyckeln som du administrerar."
        raise InvalidInput(message, [FieldError("organizer", message)])
    if len(actor.admin_of) == 1 and not actor.superadmin:
        (only,) = actor.admin_of
        return only
    organizers = [o.id for o in await all_organizers(conn) if actor.administers(o.id)]
    if len(organizers) == 1:
        return organizers[0]
    message = "Du administrerar flera arrangörer; ange vilken arbetsgivaren hör till."
    raise InvalidInput(message, [FieldError("organizer", message)])


def _checked(*, key: str, name: str, kind: str, domains: list[str]) -> EmployerSpec:
    """The values as the schedule file's rules accept them, domains in lower case."""
    try:
        spec = msgspec.convert(
            {"key": key, "name": name, "kind": kind, "domains": domains}, EmployerSpec
        )
    except msgspec.ValidationError as exc:
        found = translate(exc)
        raise InvalidInput(
            f"Arbetsgivaren går inte att spara: {found.message}",
            [FieldError(found.path, found.message)],
        ) from exc
    return msgspec.structs.replace(spec, domains=[d.lower() for d in spec.domains])


async def _save(conn: AsyncConnection, spec: EmployerSpec, organizer_id: int) -> bool:
    _, changed = await save_employer(
        conn,
        key=spec.key,
        name=spec.name,
        kind=spec.kind,
        domains=spec.domains,
        organizer_id=organizer_id,
    )
    return changed
