"""Which organizer a schedule file belongs to, and the organizer-scoped checks of an import.

A file that names no organizer belongs to the deployment's only one (made on first use from
the COURSES_MAIL_FROM setting's name, key `default`). A file that names a key nobody has
creates a new organizer, always: adopting the unnamed default under a key is an explicit,
audited act (`courses organizer rename default KEY`), never a side effect of an import. Once a
second county's file renamed the default instead, and with it took over the first county's
courses, employers and admins. With several organizers a file must say which. How its staff
sign in (`[organizer.oidc]`, `sign_in`) only the service's superadmin may set or change.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.errors import FieldError, Forbidden, InvalidInput, ItemNotFound, StaffConflict
from courses.domain.oidc import OidcSettings, SignInMode
from courses.domain.permissions import Actor
from courses.links import TAKEN_PATHS
from courses.schedule.load import Problem, ScheduleError, taken_key_message
from courses.schedule.oidc import oidc_settings, oidc_spec
from courses.schedule.spec import OrganizerSpec
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.settings import Settings
from courses.storage.organizers import (
    DEFAULT_KEY,
    OrganizerRecord,
    all_organizers,
    create_organizer,
    organizer_by_key,
    update_organizer,
)

__all__ = ["organizer_for_import", "organizer_name", "organizer_spec", "rename_organizer"]

_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")

_PROVIDER_IS_THE_OPERATORS = (
    "Bara tjänstens huvudadministratör kan ändra hur personalen loggar in ([organizer.oidc] "
    "och sign_in). Lämna dem som de är i filen, eller be driften göra ändringen."
)
"""A provider is trusted to say who its addresses' owners are, for every organizer they work
for: an admin of one organizer who could name one for another's domains could sign in as that
organizer's admins. So setting or changing it is the operator's act, like adding an organizer."""


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
    oidc = oidc_settings(spec.oidc) if spec.oidc is not None else None
    stored = await organizer_by_key(conn, spec.key)
    if stored is None:
        _check_create(actor)
        created = await create_organizer(
            conn,
            key=spec.key,
            name=spec.name,
            mail_from=spec.mail_from,
            now=now,
            oidc=oidc,
            sign_in=spec.sign_in,
        )
        return created, None
    _check(actor, stored)
    wanted = (spec.name, spec.mail_from)
    changes = [
        f"{label}: {old or '–'} → {new or '–'}"
        for label, old, new in zip(
            ("namn", "avsändare"), (stored.name, stored.mail_from), wanted, strict=True
        )
        if old != new
    ]
    if (stored.oidc, stored.sign_in) != (oidc, spec.sign_in):
        if not actor.superadmin:
            raise ScheduleError(source, [Problem("organizer.oidc", _PROVIDER_IS_THE_OPERATORS)])
        old_way = _sign_in_summary(stored.oidc, stored.sign_in)
        changes.append(f"inloggning: {old_way} → {_sign_in_summary(oidc, spec.sign_in)}")
    if not changes:
        return stored, []
    updated = await update_organizer(
        conn,
        stored.id,
        key=stored.key,
        name=spec.name,
        mail_from=spec.mail_from,
        oidc=oidc,
        sign_in=spec.sign_in,
    )
    return updated, changes


def _sign_in_summary(oidc: OidcSettings | None, sign_in: SignInMode) -> str:
    """How the organizer's staff sign in, in a line of the import report."""
    if oidc is None:
        return "mejlad länk"
    provider = (
        f"{oidc.name} ({oidc.issuer}, klient-id {oidc.client_id}, "
        f"scopes {' '.join(oidc.scopes)}, domäner {', '.join(oidc.domains)})"
    )
    if sign_in == "oidc":
        return f"bara {provider}, ingen mejlad länk"
    return f"mejlad länk eller {provider}"


def organizer_spec(organizer: OrganizerRecord) -> OrganizerSpec:
    """The stored organizer as the file's `[organizer]` (importing it back changes nothing)."""
    return OrganizerSpec(
        key=organizer.key,
        name=organizer.name,
        mail_from=organizer.mail_from,
        oidc=oidc_spec(organizer.oidc) if organizer.oidc is not None else None,
        sign_in=organizer.sign_in,
    )


async def rename_organizer(
    ctx: ServiceContext, old_key: str, new_key: str, *, actor: Actor
) -> OrganizerRecord:
    """Give an organizer another key (the unnamed `default` one its county's key, say): its
    courses, employers, admins and tokens stay its own. Only the service's superadmin may;
    audited."""
    if not actor.superadmin:
        raise Forbidden("Bara tjänstens huvudadministratör kan byta en arrangörs nyckel.")
    if not _KEY.fullmatch(new_key):
        message = (
            f"{new_key!r} duger inte som nyckel: använd små bokstäver a–z, siffror och "
            "bindestreck, högst 64 tecken, och börja med en bokstav eller siffra."
        )
        raise InvalidInput(message, [FieldError("key", message)])
    if new_key in TAKEN_PATHS:
        message = taken_key_message(new_key)
        raise InvalidInput(message, [FieldError("key", message)])
    async with ctx.db.write() as conn:
        stored = await organizer_by_key(conn, old_key)
        if stored is None:
            raise ItemNotFound(f"Det finns ingen arrangör med nyckeln {old_key!r}.")
        if old_key == new_key:
            return stored
        if await organizer_by_key(conn, new_key) is not None:
            raise StaffConflict(f"Nyckeln {new_key!r} har redan en annan arrangör.")
        renamed = await update_organizer(
            conn,
            stored.id,
            key=new_key,
            name=stored.name,
            mail_from=stored.mail_from,
            oidc=stored.oidc,
            sign_in=stored.sign_in,
        )
        await record(
            conn,
            actor,
            "organizer.renamed",
            at=ctx.clock.now(),
            summary=f"Arrangörens nyckel byttes från {old_key} till {new_key}.",
            organizer_id=stored.id,
            details={"from": old_key, "to": new_key},
        )
    return renamed


def _check(actor: Actor, organizer: OrganizerRecord) -> None:
    if not actor.administers(organizer.id):
        raise Forbidden("Du är inte administratör för den arrangör som filen gäller.")


def _check_create(actor: Actor) -> None:
    if not actor.superadmin:
        raise Forbidden("Bara tjänstens huvudadministratör kan lägga till en ny arrangör.")
