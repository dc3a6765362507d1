"""`/admin/nytt-ar` and `/admin/kurser/{slug}/kopiera`: next year's courses from this year's.

Each is a form, a preview and a button: "Förhandsgranska" (a POST that writes nothing: the
service's dry run) shows the copies with their new slugs and days, each session on a holiday
named; "Skapa utkast" (a second POST, carrying the same choices) creates them and redirects to
a GET that links each draft, so reloading the answer creates nothing twice. A GET never
creates anything. The same services as `POST /api/admin/schedule/roll-forward`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from courses.api.pages.admin.roll_forward_view import (
    ChoiceLine,
    CopyView,
    add_errors,
    choices,
    read_weeks,
)
from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.pages.wording import date_list
from courses.api.staff_identity import actor_dependency
from courses.domain.courses import CourseRecord
from courses.domain.errors import InvalidInput
from courses.domain.permissions import Actor
from courses.services.attendance.attendees import my_courses
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.schedule.roll_forward import (
    CopyPlan,
    copy_course,
    course_to_copy,
    roll_forward,
)

__all__ = ["RollForwardPages"]

_ROLL_FIELDS = ("kurser", "veckor")
_COPY_FIELDS = ("forsta_dag", "veckor")
_MAX_QUERY = 1500
"""Characters of the drafts' slugs in the address the creation redirects to; more than this
(some fifty courses) and the created drafts are answered in the POST's page itself, since the
address would pass the 2 048 bytes a URL may have."""
_BAD_DAY = "Skriv datumet som år-månad-dag, till exempel 2023-09-13."


class RollForwardPages(Controller):
    path = "/admin"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/nytt-ar")
    async def roll_form(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        skapade: FromQuery[list[str] | None] = None,
    ) -> Template:
        require_admin(actor)
        form = FormState(values={"veckor": "52"}, fields=_ROLL_FIELDS)
        return await _roll_page(ctx, actor, form, picked=None, created=skapade or [])

    @post("/nytt-ar", status_code=200)
    async def roll_preview(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Template:
        """The copies as they would be: the service's dry run, nothing written."""
        form, picked, plan = await _roll(ctx, actor, await request.form(), create=False)
        return await _roll_page(ctx, actor, form, picked=picked, plan=plan)

    @post("/nytt-ar/skapa", status_code=HTTP_303_SEE_OTHER)
    async def roll_create(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Template | Redirect:
        form, picked, plan = await _roll(ctx, actor, await request.form(), create=True)
        if plan is None:
            return await _roll_page(ctx, actor, form, picked=picked)
        created = [c.slug for c in plan.copies]
        query = "&".join(f"skapade={slug}" for slug in created)
        if len(query) > _MAX_QUERY:  # the address would be refused (414): answer here instead
            fresh = FormState(values={"veckor": form.value("veckor")}, fields=_ROLL_FIELDS)
            return await _roll_page(ctx, actor, fresh, picked=None, created=created)
        return Redirect(f"/admin/nytt-ar?{query}", status_code=HTTP_303_SEE_OTHER)

    @get("/kurser/{slug:str}/kopiera")
    async def copy_form(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        skapad: FromQuery[str | None] = None,
    ) -> Template:
        course = await course_to_copy(ctx, actor, slug)
        form = FormState(fields=_COPY_FIELDS)
        created = await _created(ctx, actor, [skapad] if skapad else [])
        return _copy_page(actor, course, form, created=created)

    @post("/kurser/{slug:str}/kopiera", status_code=200)
    async def copy_preview(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> Template:
        course, form, plan = await _copy(ctx, actor, slug, await request.form(), create=False)
        return _copy_page(actor, course, form, plan=plan)

    @post("/kurser/{slug:str}/kopiera/skapa", status_code=HTTP_303_SEE_OTHER)
    async def copy_create(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> Template | Redirect:
        course, form, plan = await _copy(ctx, actor, slug, await request.form(), create=True)
        if plan is None:
            return _copy_page(actor, course, form)
        return Redirect(
            f"/admin/kurser/{slug}/kopiera?skapad={plan.copies[0].slug}",
            status_code=HTTP_303_SEE_OTHER,
        )


async def _roll(
    ctx: ServiceContext, actor: Actor, sent: FormMultiDict, *, create: bool
) -> tuple[FormState, list[str], CopyPlan | None]:
    """The form as sent, the courses picked, and the plan (None when refused)."""
    require_admin(actor)
    form = FormState.of(sent, _ROLL_FIELDS)
    picked = [s for s in sent.getall("kurser", []) if isinstance(s, str)]
    weeks = read_weeks(form)
    if weeks is None:
        return form, picked, None
    try:
        plan = await roll_forward(ctx, actor, picked, weeks=weeks, dry_run=not create)
    except InvalidInput as refused:
        add_errors(form, refused)
        return form, picked, None
    return form, picked, plan


async def _roll_page(
    ctx: ServiceContext,
    actor: Actor,
    form: FormState,
    *,
    picked: list[str] | None,
    plan: CopyPlan | None = None,
    created: list[str] | None = None,
) -> Template:
    today = ctx.clock.now().astimezone(ctx.tz).date()
    courses = await my_courses(ctx, actor)
    context = {
        "form": form,
        "has_errors": form.has_errors,
        "choices": choices(courses, picked=picked, year=today.year),
        "copies": [CopyView.of(c) for c in plan.copies] if plan else None,
        "picked": picked or [],
        "created": _titled(courses, created or []),
    }
    return staff_page(
        "admin_roll_forward.html", context, actor, status=400 if form.has_errors else 200
    )


async def _copy(
    ctx: ServiceContext, actor: Actor, slug: str, sent: FormMultiDict, *, create: bool
) -> tuple[CourseRecord, FormState, CopyPlan | None]:
    """The course, the form as sent, and the plan (None when refused)."""
    course = await course_to_copy(ctx, actor, slug)
    form = FormState.of(sent, _COPY_FIELDS)
    first_day, weeks = _read_copy_form(form)
    if form.has_errors:
        return course, form, None
    try:
        plan = await copy_course(
            ctx, actor, slug, first_day=first_day, weeks=weeks, dry_run=not create
        )
    except InvalidInput as refused:
        add_errors(form, refused)
        return course, form, None
    return course, form, plan


def _read_copy_form(form: FormState) -> tuple[date | None, int | None]:
    """The first day or the weeks typed (exactly one is wanted: the service says so)."""
    typed_day, typed_weeks = form.value("forsta_dag").strip(), form.value("veckor").strip()
    first_day = weeks = None
    if typed_day:
        try:
            first_day = date.fromisoformat(typed_day)
        except ValueError:
            form.add("forsta_dag", _BAD_DAY)
    if typed_weeks:
        weeks = read_weeks(form)
    return first_day, weeks


def _copy_page(
    actor: Actor,
    course: CourseRecord,
    form: FormState,
    *,
    plan: CopyPlan | None = None,
    created: list[ChoiceLine] | None = None,
) -> Template:
    context = {
        "form": form,
        "has_errors": form.has_errors,
        "course": course,
        "dates": date_list([s.day for s in course.sessions]),
        "example": (min(s.day for s in course.sessions) + timedelta(weeks=52)).isoformat(),
        "copies": [CopyView.of(c) for c in plan.copies] if plan else None,
        "created": created or [],
    }
    return staff_page("admin_copy.html", context, actor, status=400 if form.has_errors else 200)


async def _created(ctx: ServiceContext, actor: Actor, slugs: list[str]) -> list[ChoiceLine]:
    return _titled(await my_courses(ctx, actor), slugs) if slugs else []


def _titled(courses: list[CourseRecord], slugs: list[str]) -> list[ChoiceLine]:
    """The drafts named in the answer's address that the admin sees, in its order."""
    found = {c.slug: c for c in courses}
    return choices([found[s] for s in slugs if s in found], picked=[], year=0)
