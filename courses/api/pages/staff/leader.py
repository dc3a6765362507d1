"""`/kursledare`: a leader's courses, a course's attendee list with its exports and attendance
forms, and the printable attendance sheet (närvarolista).

Every route needs a signed-in person (`actor`); a page path without one is sent to the sign-in
(courses.api.pages.errors). A course that is not theirs answers the same 404 page as a course
that does not exist: the attendees service raises the same error for both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from courses.api.pages.paging import PAGE_SIZE, Pager, window_of
from courses.api.pages.staff.attendee_actions import DONE
from courses.api.pages.staff.common import staff_page
from courses.api.pages.staff.leader_view import LeaderCourseView, SheetView, course_lines
from courses.api.pages.templating import private_redirect
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import InvalidInput
from courses.domain.ids import is_stored_id
from courses.domain.paging import Page, Window
from courses.domain.permissions import Actor
from courses.services.attendance.attendees import Mark, attendee_list, my_courses, set_attendance
from courses.services.context import ServiceContext

__all__ = ["LeaderPages"]

Slug = FromPath[str]

ATTENDEES_PER_PAGE = 200
"""A page of the attendee list; the exports (CSV, XLSX) and the printed sheet are whole."""


async def _course_page(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    *,
    saved: int | None = None,
    done: str | None = None,
    problems: Sequence[str] = (),
    status: int = 200,
    query: Mapping[str, Any] | None = None,
) -> Template:
    query = {
        k: v for k, v in (query or {}).items() if k in ("sida", PAGE_SIZE) and isinstance(v, str)
    }
    window = window_of(query, "sida", size=ATTENDEES_PER_PAGE)
    found = await attendee_list(ctx, actor, slug, window=window)
    if not found.rows and window.offset > 0:  # past the end: the first page
        window = Window(limit=window.limit)
        found = await attendee_list(ctx, actor, slug, window=window)
    view = LeaderCourseView.of(found, tz=ctx.tz)
    positions = {s.position for s in view.sessions}
    pager = Pager.of(
        Page(found.rows, found.total, window),
        query,
        name="sida",
        path=view.url,
        anchor="deltagare-rubrik",
        label="Sidor i deltagarlistan",
    )
    context = {
        "course": view,
        "pager": pager,
        "page_number": str(window.offset // window.limit + 1) if window.offset else "",
        "saved": saved if saved in positions else None,
        "done": DONE.get(done or "", ""),
        "problems": list(problems),
        "has_errors": bool(problems),
    }
    return staff_page("leader_course.html", context, actor, status=status)


def _numbers(values: Sequence[Any]) -> list[int]:
    """Ids from a form (courses.domain.ids); anything else is a form no page of ours sent."""
    try:
        numbers = [int(v) for v in values]
    except (TypeError, ValueError):
        raise HTTPException(status_code=400) from None
    if not all(is_stored_id(n) for n in numbers):
        raise HTTPException(status_code=400)
    return numbers


class LeaderPages(Controller):
    path = "/kursledare"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/", name="leader-courses")
    async def courses(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor]
    ) -> Template:
        courses = await my_courses(ctx, actor)
        lines = course_lines(courses, today=ctx.clock.now().astimezone(ctx.tz).date())
        context = {
            "upcoming": [c for c in lines if not c.past],
            "past": [c for c in lines if c.past],
        }
        return staff_page("leader_courses.html", context, actor)

    @get("/{slug:str}", name="leader-course")
    async def course(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: Slug,
        request: Request[Any, Any, Any],
        sparat: FromQuery[int | None] = None,
        klart: FromQuery[str | None] = None,
    ) -> Template:
        """The course with its attendee list, 200 a page (`?sida=`)."""
        query = dict(request.query_params)
        return await _course_page(ctx, actor, slug, saved=sparat, done=klart, query=query)

    @post("/{slug:str}/narvaro", status_code=303)
    async def mark_attendance(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: Slug,
    ) -> Response[Any]:
        """One session's attendance: everyone listed in the form (`deltagare`) is marked,
        present if ticked (`narvarande`), absent if not."""
        form = await request.form()
        query = {"sida": form.get("sida")}  # the page of the list the form was on
        session = next(iter(_numbers(form.getall("kursdag", []))), 0)
        listed = _numbers(form.getall("deltagare", []))
        present = set(_numbers(form.getall("narvarande", [])))
        people = list(dict.fromkeys([*listed, *sorted(present)]))
        if not session or not people:
            raise HTTPException(status_code=400)
        marks = [Mark(p, session, p in present) for p in people]
        try:
            await set_attendance(ctx, actor, slug, marks)
        except InvalidInput as exc:
            # Someone in the form cancelled meanwhile, or the course changed: nothing saved.
            problems = [exc.detail, *dict.fromkeys(e.message for e in exc.errors)]
            return await _course_page(ctx, actor, slug, problems=problems, status=409, query=query)
        window = window_of(query, "sida", size=ATTENDEES_PER_PAGE)
        on_page = f"&sida={window.offset // window.limit + 1}" if window.offset else ""
        return private_redirect(f"/kursledare/{slug}?sparat={session}{on_page}#narvaro-{session}")

    @get("/{slug:str}/narvarolista", name="attendance-sheet")
    async def sheet(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: Slug,
        kursdag: FromQuery[int | None] = None,
    ) -> Template:
        found = await attendee_list(ctx, actor, slug, with_cancelled=False)
        view = SheetView.of(found, session=kursdag)
        if not view.sessions and kursdag is not None:
            raise NotFoundException()
        return staff_page("attendance_sheet.html", {"sheet": view}, actor)
