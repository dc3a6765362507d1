"""An admin imports a schedule file they upload (the API's `POST /api/admin/schedule`, the
`/admin` page): the same validation, atomic import and audit entry as `courses seed`."""

from __future__ import annotations

from courses.domain.permissions import Actor
from courses.schedule.load import parse_schedule
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.schedule.importing import ImportReport, import_schedule

__all__ = ["ImportReport", "import_uploaded_schedule"]


async def import_uploaded_schedule(
    ctx: ServiceContext,
    actor: Actor,
    raw: bytes | str,
    *,
    dry_run: bool = False,
    source: str = "uppladdad fil",
) -> ImportReport:
    """Validate the whole file, then import it in one transaction (or, with `dry_run`, report
    what an import would do and roll back).

    Raises Forbidden (not an admin, or not of the file's organizer) and ScheduleError (every
    problem with its place in the file; nothing is written).
    """
    require_admin(actor)
    schedule = parse_schedule(raw, source=source)
    return await import_schedule(ctx, schedule, dry_run=dry_run, source=source, actor=actor)
