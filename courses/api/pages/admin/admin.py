"""`/admin`: an admin's page. Importing a schedule file with its dry-run diff shown before
anything is written, their organizer's courses, and the audit log; the sections for employers,
mail and statistics are filled by their own services.

Importing is two POSTs: the first (`/admin/schema`) reads the file and runs the import as a dry
run, which writes nothing; its page carries the file on, and its "Importera" button (the second,
`/admin/schema/importera`) imports exactly that file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.api.admin.schedule_file import toml_download
from courses.api.pages.admin.admin_view import (
    ImportView,
    carry,
    problem_lines,
    source_name,
    uncarry,
)
from courses.api.pages.admin.lists import admin_lists
from courses.api.pages.admin.office import office_context
from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import Forbidden
from courses.domain.permissions import Actor
from courses.schedule.load import ScheduleError, parse_schedule
from courses.services.context import ServiceContext
from courses.services.outbox.mail_admin import retry_mail
from courses.services.schedule.export import export_schedule
from courses.services.schedule.importing import import_schedule

__all__ = ["AdminPage"]

UPLOAD_LIMIT = 4 * 1024 * 1024
"""Bytes an import's form may have: a year's schedule is well under 1 MiB, and the
confirmation carries it as base64 (a third more)."""

_NOT_ADMIN = (
    "Sidan är till för utbildningsadministratörer. Är du kursledare hittar du dina kurser "
    "under Mina kurser."
)
_NOTHING = "Välj en schemafil eller klistra in schemat i textrutan."
_HAS_ERRORS = "Schemat har fel och har inte importerats. Rätta felen nedan och försök igen."


def _admin(actor: Actor) -> Actor:
    if not actor.is_admin:
        raise Forbidden(_NOT_ADMIN)
    return actor


async def _admin_page(
    ctx: ServiceContext,
    actor: Actor,
    *,
    form: FormState | None = None,
    problems: list[str] | None = None,
    status: int = 200,
    mail_notice: str = "",
    query: Mapping[str, Any] | None = None,
) -> Template:
    form = form or FormState()
    context = {
        "form": form,
        "problems": problems or [],
        "has_errors": form.has_errors,
        "mail_notice": mail_notice,
        **await admin_lists(ctx, actor, query or {}),
        **await office_context(ctx, actor),
    }
    return staff_page("admin.html", context, actor, status=status)


async def _submitted_file(request: Request[Any, Any, Any]) -> tuple[bytes, str, str]:
    """The uploaded file, else the pasted text: its bytes, its name, and the field it came in."""
    form = await request.form()
    upload = form.get("fil")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read()
        if raw.strip():
            return raw, source_name(upload.filename), "fil"
    text = form.get("text")
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8"), source_name(None), "text"
    return b"", "", "fil"


class AdminPage(Controller):
    path = "/admin"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/", name="admin")
    async def show(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        skickat: FromQuery[int | None] = None,
    ) -> Template:
        """The overview; its lists page and filter by GET parameters (`admin_lists`)."""
        notice = f"Mejl {skickat} skickas igen inom en minut." if skickat else ""
        query = dict(request.query_params)
        return await _admin_page(ctx, _admin(actor), mail_notice=notice, query=query)

    @get("/schema.toml", name="admin-schedule-file")
    async def schedule_file(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor]
    ) -> Response[str]:
        """The organizer's schedule file to download (as GET /api/admin/schedule)."""
        return toml_download(await export_schedule(ctx, _admin(actor)))

    @post("/mejl/{mail_id:int}/skicka-igen", status_code=303)
    async def retry(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        mail_id: FromPath[int],
    ) -> Redirect:
        """Send a failed mail again (the same service as POST /api/admin/mail/{id}/retry)."""
        found = await retry_mail(ctx, _admin(actor), mail_id)
        return Redirect(f"/admin?skickat={found.id}#mejl", status_code=303)

    @post("/schema", status_code=200, request_max_body_size=UPLOAD_LIMIT)
    async def preview(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Template:
        """A dry run of the file: what an import would do, with nothing written."""
        actor = _admin(actor)
        raw, source, field = await _submitted_file(request)
        if not raw:
            form = FormState()
            form.add("fil", _NOTHING)
            return await _admin_page(ctx, actor, form=form, status=400)
        return await self._import(ctx, actor, raw, source=source, field=field, dry_run=True)

    @post("/schema/importera", status_code=200, request_max_body_size=UPLOAD_LIMIT)
    async def confirm(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Template:
        """The import itself, of the file the preview showed."""
        actor = _admin(actor)
        form = await request.form()
        raw = uncarry(form.get("innehall"))
        if not raw:
            raise HTTPException(status_code=400)
        source = source_name(form.get("kalla") if isinstance(form.get("kalla"), str) else None)
        return await self._import(ctx, actor, raw, source=source, field="fil", dry_run=False)

    async def _import(
        self,
        ctx: ServiceContext,
        actor: Actor,
        raw: bytes,
        *,
        source: str,
        field: str,
        dry_run: bool,
    ) -> Template:
        try:
            schedule = parse_schedule(raw, source=source)
            report = await import_schedule(
                ctx, schedule, dry_run=dry_run, source=source, actor=actor
            )
        except ScheduleError as exc:
            # What was pasted stays in its box, to be corrected there.
            kept = raw.decode("utf-8", "replace") if field == "text" else ""
            form = FormState(values={"text": kept})
            lines = problem_lines(exc.problems)
            form.add(field, _HAS_ERRORS)
            for line in lines:
                form.add(field, line)
            return await _admin_page(ctx, actor, form=form, problems=lines, status=400)
        context = {
            "report": ImportView.of(report),
            "content": carry(raw),
            "source": source,
        }
        return staff_page("admin_import.html", context, actor)
