"""A course's attendee list (JSON, CSV, XLSX) and attendance, for its leaders and admins.

The files stream: CSV row by row; XLSX as far as its library allows (courses.export). Every
export is written to the audit log before the first byte goes out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, get, put
from litestar.di import NamedDependency
from litestar.params import Body
from litestar.response import Stream

from courses.api.http.openapi import problem_responses
from courses.api.http.paging import Offset, limit_parameter, next_link
from courses.api.http.paths import PathSegment
from courses.api.staff.mapping import attendee_list_out
from courses.api.staff.schemas import AttendanceIn, AttendanceOut, AttendeeListOut
from courses.api.staff_identity import actor_dependency
from courses.domain.paging import Window
from courses.domain.permissions import Actor
from courses.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Sheet, csv_chunks, xlsx_chunks
from courses.services.attendance.attendees import (
    Mark,
    attendee_list,
    note_export,
    set_attendance,
)
from courses.services.attendance.export import attendee_sheet, file_name
from courses.services.context import ServiceContext

__all__ = ["AttendeeController"]

_PRIVATE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MAX_ATTENDEES_PER_PAGE = 1000
_CSV = CSV_MEDIA_TYPE.split(";")[0]
"""`text/csv`: Litestar adds `; charset=utf-8` to a text type, once (it was there twice)."""


async def _in_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Build the file off the event loop, chunk by chunk, so requests go on meanwhile."""
    done = object()
    while True:
        chunk = await anyio.to_thread.run_sync(next, chunks, done)
        if chunk is done:
            return
        assert isinstance(chunk, bytes)
        yield chunk


_FILES: dict[str, tuple[Callable[[Sheet], Iterator[bytes]], str]] = {
    "csv": (csv_chunks, _CSV),
    "xlsx": (xlsx_chunks, XLSX_MEDIA_TYPE),
}


async def _download(ctx: ServiceContext, actor: Actor, slug: str, kind: str) -> Stream:
    """The list as a file, streamed; the export is audited before the first byte."""
    build, media_type = _FILES[kind]
    listing = await attendee_list(ctx, actor, slug)
    await note_export(ctx, actor, listing.course, kind=kind, rows=len(listing.rows))
    disposition = f'attachment; filename="{file_name(listing, kind)}"'
    return Stream(
        _in_thread(build(attendee_sheet(listing))),
        media_type=media_type,
        headers={**_PRIVATE, "Content-Disposition": disposition},
    )


class AttendeeController(Controller):
    path = "/api/courses"
    tags = ("Kursledare",)
    dependencies = actor_dependency()

    @get(
        "/{slug:str}/attendees",
        summary="Deltagarlistan",
        description=(
            "Hela listan, eller med `limit` en sida i taget från `offset`; `total` säger hur "
            'många den har och `Link` (rel="next") leder till nästa sida. CSV- och '
            "Excel-filerna är alltid hela listan."
        ),
        responses=problem_responses(400, 401, 404),
    )
    async def attendees(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: PathSegment,
        limit: Annotated[int | None, limit_parameter(MAX_ATTENDEES_PER_PAGE)] = None,
        offset: Offset = 0,
    ) -> Response[AttendeeListOut]:
        window = None if limit is None else Window(limit=limit, offset=offset)
        listing = await attendee_list(ctx, actor, slug, window=window)
        await note_export(ctx, actor, listing.course, kind="json", rows=len(listing.rows))
        headers = dict(_PRIVATE)
        if window is not None and window.offset + len(listing.rows) < listing.total:
            after = {"limit": window.limit, "offset": window.offset + window.limit}
            headers.update(next_link(request, after))
        return Response(attendee_list_out(listing), headers=headers)

    @get(
        "/{slug:str}/attendees.csv",
        summary="Deltagarlistan som CSV (Excel: UTF-8 med BOM, semikolon)",
        media_type=_CSV,
        responses=problem_responses(400, 401, 404),
    )
    async def attendees_csv(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], slug: PathSegment
    ) -> Stream:
        return await _download(ctx, actor, slug, "csv")

    @get(
        "/{slug:str}/attendees.xlsx",
        summary="Deltagarlistan som Excel-fil",
        media_type=XLSX_MEDIA_TYPE,
        responses=problem_responses(400, 401, 404),
    )
    async def attendees_xlsx(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], slug: PathSegment
    ) -> Stream:
        return await _download(ctx, actor, slug, "xlsx")

    @put(
        "/{slug:str}/attendance",
        summary="Markera närvaro",
        responses=problem_responses(400, 401, 404, 413, 415),
    )
    async def attendance(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: PathSegment,
        data: Annotated[AttendanceIn, Body()],
    ) -> AttendanceOut:
        marks = [Mark(m.registration, m.session, m.attended) for m in data.marks]
        saved = await set_attendance(ctx, actor, slug, marks)
        return AttendanceOut(saved=saved)
