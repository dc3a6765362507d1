"""`courses seed` and `courses migrate`: the schedule file into the database."""

from __future__ import annotations

import sys
from pathlib import Path

from courses.clock import SystemClock
from courses.schedule import ScheduleError, load_schedule
from courses.schedule.demo import demo_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import Action, ImportReport, import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["migrate", "render_report", "seed"]

_ACTIONS = {Action.CREATED: "skapad", Action.CHANGED: "ändrad", Action.UNCHANGED: "oförändrad"}
_KINDS = {"organizer": "arrangör", "employer": "arbetsgivare", "course": "kurs"}


async def migrate(settings: Settings, *, quiet: bool = False) -> int:
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
    finally:
        await db.dispose()
    if not quiet:
        print("Databasen är uppdaterad.")
    return 0


async def seed(settings: Settings, path: Path, *, dry_run: bool, demo: bool) -> int:
    clock = SystemClock()
    try:
        schedule = load_schedule(path)
    except ScheduleError as exc:
        print(exc, file=sys.stderr)
        return 1
    if demo:
        schedule = demo_schedule(schedule, today=clock.now().astimezone(settings.tz).date())
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=clock, settings=settings)
        report = await import_schedule(ctx, schedule, dry_run=dry_run, source=str(path))
    except ScheduleError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        await db.dispose()
    print(render_report(str(path), report))
    return 0


def render_report(source: str, report: ImportReport) -> str:
    """The import's result as a person reads it: one line per employer and course."""
    lines = [f"{source}{' (provkörning, inget sparades)' if report.dry_run else ''}:"]
    for item in report.items:
        line = f"  {_KINDS[item.kind]} {item.key}: {_ACTIONS[item.action]}"
        if item.changes:
            line += " (" + "; ".join(item.changes) + ")"
        lines.append(line)
    if report.promoted:
        lines.append(
            f"  {report.promoted} anmälningar flyttades från reservlistan till bekräftade."
        )
    if report.notified:
        lines.append(
            f"  {report.notified} anmälda {'skulle få' if report.dry_run else 'får'} "
            "ett mejl om ändringen."
        )
    if not report.items:
        lines.append("  Filen innehåller inga arbetsgivare eller kurser.")
    elif not report.changed:
        lines.append("Inget ändrades: databasen stämmer redan med filen.")
    else:
        counts = {a: sum(1 for i in report.items if i.action is a) for a in Action}
        lines.append(
            f"{counts[Action.CREATED]} skapade, {counts[Action.CHANGED]} ändrade, "
            f"{counts[Action.UNCHANGED]} oförändrade."
        )
    return "\n".join(lines)
