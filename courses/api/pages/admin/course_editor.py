"""`/admin/kurser/ny` and `/admin/kurser/{slug}`: the course editor's pages.

The form holds every field of a schedule entry; rows of leaders, formats and sessions are
added by a submit button that shows the form again with one more row, and removed by a
checkbox per row, so it works without JavaScript. Saving a course that has registrants first
shows what changes and who is told (a dry run of the same save); its "Spara och skicka"
button saves exactly what was previewed. A course without registrants, or a new one, is
saved at once. Everything goes through `services.schedule.editor`, as the API does.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.api.pages.admin.course_form import (
    CourseFormData,
    entry_document,
    fingerprint,
    form_of,
    place_errors,
    read_form,
)
from courses.api.pages.staff.common import staff_page
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import Forbidden, InvalidInput, StaleCourse
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.schedule.editor import CourseSaved, open_course, parse_entry, save_course
from courses.services.schedule.preview import mail_lines

__all__ = ["CourseEditorPage"]

_NOT_ADMIN = "Sidan är till för utbildningsadministratörer."
_ADD = "lagg-till-"
_APPLY = "skicka"


def _admin(actor: Actor) -> Actor:
    if not actor.is_admin:
        raise Forbidden(_NOT_ADMIN)
    return actor


def _page(
    data: CourseFormData,
    actor: Actor,
    *,
    slug: str | None,
    revision: int | None,
    registrants: int = 0,
    preview: CourseSaved | None = None,
    previewed: str = "",
    saved: bool = False,
    added: str | None = None,
    problem: str = "",
    status: int = 200,
) -> Template:
    context = {
        "form": data.state,
        "rows": data.rows,
        "slug": slug,
        "revision": revision,
        "registrants": registrants,
        "preview": preview,
        "preview_mails": mail_lines(preview.mails) if preview else [],
        "previewed": previewed,
        "saved": saved,
        "added": added,
        "problem": problem,
        "action": f"/admin/kurser/{slug}" if slug else "/admin/kurser/ny",
    }
    return staff_page("admin_course.html", context, actor, status=status)


class CourseEditorPage(Controller):
    path = "/admin/kurser"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/ny")
    async def new(self, actor: NamedDependency[Actor]) -> Template:
        return _page(form_of(None), _admin(actor), slug=None, revision=None)

    @post("/ny", status_code=200)
    async def create(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Template | Redirect:
        return await _submit(ctx, _admin(actor), await request.form(), slug=None)

    @get("/{slug:str}")
    async def edit(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        sparad: FromQuery[int | None] = None,
    ) -> Template:
        opened = await open_course(ctx, _admin(actor), slug)
        return _page(
            form_of(opened.entry),
            actor,
            slug=slug,
            revision=opened.revision,
            registrants=opened.registrants,
            saved=bool(sparad),
        )

    @post("/{slug:str}", status_code=200)
    async def change(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> Template | Redirect:
        actor = _admin(actor)
        await open_course(ctx, actor, slug)  # another organizer's course: 404 before anything
        return await _submit(ctx, actor, await request.form(), slug=slug)


async def _submit(
    ctx: ServiceContext, actor: Actor, form: Any, *, slug: str | None
) -> Template | Redirect:
    action = form.get("atgard")
    action = action if isinstance(action, str) else ""
    add = action[len(_ADD) :] if action.startswith(_ADD) else None
    data = read_form(form, add=add)
    revision = _revision(form.get("revision")) if slug else None
    if slug:
        data.state.values["slug"] = slug  # a course keeps its address
    if add:
        return _page(data, actor, slug=slug, revision=revision, added=add)
    if slug and revision is None:
        return _page(
            data, actor, slug=slug, revision=None, problem=StaleCourse().detail, status=409
        )
    try:
        entry = parse_entry(entry_document(data))
        if action == _APPLY and form.get("granskad") == fingerprint(entry):
            saved = await save_course(ctx, actor, entry, revision=revision)
        else:
            saved = await save_course(ctx, actor, entry, revision=revision, dry_run=True)
            if saved.registrants and slug:
                return _page(
                    data,
                    actor,
                    slug=slug,
                    revision=revision,
                    registrants=saved.registrants,
                    preview=saved,
                    previewed=fingerprint(entry),
                )
            saved = await save_course(ctx, actor, entry, revision=revision)
    except InvalidInput as exc:
        place_errors(data, exc.errors)
        return _page(data, actor, slug=slug, revision=revision, status=400)
    except StaleCourse as exc:
        return _page(data, actor, slug=slug, revision=revision, problem=exc.detail, status=409)
    return Redirect(f"/admin/kurser/{saved.slug}?sparad=1", status_code=303)


def _revision(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None
