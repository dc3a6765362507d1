"""`courses organizer ...`: the organizers of this deployment, and giving one a new key."""

from __future__ import annotations

import argparse
import sys

from courses.cli.database import open_database
from courses.clock import SystemClock
from courses.domain.errors import DomainError
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.schedule.organizers import rename_organizer
from courses.settings import Settings
from courses.storage.organizers import all_organizers

__all__ = ["run_organizer"]


async def run_organizer(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings)
    ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
    try:
        if args.action == "list":
            async with db.read() as conn:
                organizers = await all_organizers(conn)
            if not organizers:
                print("Det finns inga arrangörer än: de kommer med den första schemafilen.")
            for o in organizers:
                print(f"{o.key}: {o.name}")
            return 0
        renamed = await rename_organizer(ctx, args.old, args.new, actor=Actor.command_line())
        print(f"Arrangören {renamed.name} har nu nyckeln {renamed.key} (förut {args.old}).")
        return 0
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
