"""`courses token ...` and `courses staff ...`: program tokens and people with admin rights.

`courses token list` reads the token table itself, as the command line (a super-admin) sees it
through `api_tokens.list_tokens`: it starts without the services and the other tables. Every
other action goes through the staff services, imported when it runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from courses.cli.database import open_database
from courses.settings import Settings
from courses.storage.staff import TokenRecord, tokens

if TYPE_CHECKING:
    from courses.services.context import ServiceContext

__all__ = ["run_staff", "run_token"]


async def _context(settings: Settings) -> ServiceContext:
    from courses.clock import SystemClock
    from courses.services.context import ServiceContext

    db = await open_database(settings)
    return ServiceContext(db=db, clock=SystemClock(), settings=settings)


async def _list_tokens(settings: Settings) -> int:
    db = await open_database(settings)
    try:
        async with db.read() as conn:
            found = await tokens(conn)
    finally:
        await db.dispose()
    _print_tokens(found)
    return 0


def _print_tokens(found: list[TokenRecord]) -> None:
    if not found:
        print("Det finns inga tokens.")
    for t in found:
        state = "återkallad" if t.revoked_at else "giltig"
        used = f", senast använd {t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else ""
        who = f" {t.email}" if t.email else ""
        print(f"{t.id}: {t.role}{who} – {t.label} ({state}{used})")


async def run_token(settings: Settings, args: argparse.Namespace) -> int:
    if args.action == "list":
        return await _list_tokens(settings)
    from courses.domain.errors import DomainError
    from courses.domain.permissions import Role
    from courses.services.staff import api_tokens

    ctx = await _context(settings)
    try:
        if args.action == "create":
            role = Role.ADMIN if args.admin else Role.SUPERADMIN if args.superadmin else Role.LEADER
            created = await api_tokens.create_token(
                ctx,
                role,
                label=args.name or role.value,
                organizer_key=args.organizer,
                email=args.leader,
            )
            scope = (
                f"administratör för {created.organizer.key}"
                if created.organizer
                else f"kursledare {created.email}"
                if created.email
                else "huvudadministratör"
            )
            print(f"Token {created.id} ({scope}). Spara den nu; den visas inte igen:")
            print(created.token)
        else:
            await api_tokens.revoke_token(ctx, args.id)
            print(f"Token {args.id} är återkallad.")
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await ctx.db.dispose()
    return 0


async def run_staff(settings: Settings, args: argparse.Namespace) -> int:
    from courses.domain.errors import DomainError
    from courses.domain.permissions import Role
    from courses.services.staff import api_tokens

    ctx = await _context(settings)
    try:
        if args.action == "add":
            role = Role.SUPERADMIN if args.superadmin else Role.ADMIN
            added, organizer = await api_tokens.add_account(
                ctx, args.email, role, organizer_key=args.organizer
            )
            what = f"administratör för {organizer.key}" if organizer else "huvudadministratör"
            if added:
                print(f"{args.email} är nu {what}. Logga in på /logga-in med adressen.")
            else:
                print(f"{args.email} var redan {what}.")
        elif args.action == "list":
            found = await api_tokens.list_accounts(ctx)
            if not found:
                print("Det finns inga administratörer.")
            for a in found:
                print(f"{a.id}: {a.email} – {a.role}")
        else:
            await api_tokens.remove_account(ctx, args.id)
            print(f"Behörighet {args.id} är borttagen.")
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await ctx.db.dispose()
    return 0
