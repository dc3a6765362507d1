"""`GET /api/admin/schedule`: the organizer's schedule as a schedule file (TOML).

Posting it back to `POST /api/admin/schedule` changes nothing; an admin may edit it in a text
editor and import it again. The page `/admin/schema.toml` answers the same file.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from courses.api.http.openapi import problem_responses
from courses.api.staff_identity import actor_dependency
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.schedule.export import ScheduleFile, export_schedule

__all__ = ["TOML", "schedule_file", "toml_download"]

TOML = "application/toml"
OrganizerKey = Annotated[
    str | None,
    QueryParameter(description="Arrangörens nyckel; behövs bara för den som har flera."),
]


def toml_download(found: ScheduleFile) -> Response[str]:
    """The file as a download with its name (the name is ASCII: `schema-{key}.toml`)."""
    return Response(
        found.text,
        media_type=f"{TOML}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


@get(
    "/api/admin/schedule",
    tags=["Administration"],
    summary="Arrangörens schema som schemafil (TOML); importeras den igen ändras inget",
    dependencies=actor_dependency(),
    media_type=TOML,
    responses=problem_responses(400, 401, 403),
)
async def schedule_file(
    ctx: NamedDependency[ServiceContext],
    actor: NamedDependency[Actor],
    organizer: OrganizerKey = None,
) -> Response[str]:
    return toml_download(await export_schedule(ctx, actor, organizer_key=organizer))
