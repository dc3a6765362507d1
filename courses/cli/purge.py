"""`courses purge [--dry-run]`: the retention purge (gallring) now, with what it did per course.

The worker runs the same purge once a day; this is for an admin who wants it now or wants to
see first what it would remove.
"""

from __future__ import annotations

import sys

from courses.clock import SystemClock
from courses.domain.permissions import Actor
from courses.domain.rules import swedish_date
from courses.services.context import ServiceContext
from courses.services.retention.purge import (
    BATCH_SIZE,
    CoursePurge,
    PurgeProgress,
    PurgeReport,
    purge,
)
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = ["purge_now", "render_purge"]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _course_line(course: CoursePurge, *, dry_run: bool) -> str:
    what = (
        f"{_count(course.registrations, 'anmälan', 'anmälningar')}, "
        f"{_count(course.mails, 'mejl', 'mejl')}, "
        f"{_count(course.attendance, 'närvaromarkering', 'närvaromarkeringar')}"
    )
    verb = "skulle gallras" if dry_run else "gallrade"
    return (
        f"  {course.slug} ({course.title}, sista kursdag {swedish_date(course.last_day)}): "
        f"{what} {verb}"
    )


def render_purge(report: PurgeReport) -> str:
    """The purge's result as a person reads it: one line per course, then the total."""
    if report.through is None:
        return "Gallringen är avstängd (COURSES_RETENTION_DAYS=0): inget gallrades."
    head = (
        f"Gallring efter {report.retention_days} dagar: personuppgifterna i anmälningar till "
        f"kurser vars sista kursdag var {swedish_date(report.through)} eller tidigare"
    )
    if not report.courses:
        return f"{head}.\nInget att gallra: sådana anmälningar har redan gallrats."
    lines = [f"{head}{' (provkörning, inget ändrades)' if report.dry_run else ''}:"]
    lines += [_course_line(c, dry_run=report.dry_run) for c in report.courses]
    total = (
        f"{_count(report.registrations, 'anmälan', 'anmälningar')} i "
        f"{_count(len(report.courses), 'kurs', 'kurser')}"
    )
    if report.dry_run:
        lines.append(f"Totalt skulle {total} gallras. Kör utan --dry-run för att gallra.")
    else:
        lines.append(
            f"Totalt gallrades {total}. Antalen i statistiken finns kvar; varje kurs står i "
            "granskningsloggen."
        )
    return "\n".join(lines)


def _show_progress(step: PurgeProgress) -> None:
    # Between the batches of a course that takes several; a short run needs no progress.
    if 0 < step.done < step.course.registrations:
        print(
            f"  … kurs {step.course_number} av {step.course_count}, {step.course.slug}: "
            f"{step.done} av {step.course.registrations} anmälningar gallrade",
            file=sys.stderr,
            flush=True,
        )


async def purge_now(settings: Settings, *, dry_run: bool, batch_size: int = BATCH_SIZE) -> int:
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        report = await purge(
            ctx,
            actor=Actor.command_line(),
            dry_run=dry_run,
            batch_size=batch_size,
            progress=_show_progress,
        )
    finally:
        await db.dispose()
    print(render_purge(report))
    return 0
