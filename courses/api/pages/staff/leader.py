"""`/kursledare`: a leader's courses, a course's attendee list with its exports and attendance
forms, and the printable attendance sheet (närvarolista).

Every route needs a signed-in person (`actor`); a page path without one is sent to the sign-in
(courses.api.pages.errors). A course that is not theirs answers the same 404 page as a course
that does not exist: the attendees service raises the same error for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from courses.api.pages.staff.attendee_actions import DONE
from courses.api.pages.staff.common import staff_page
from courses.api.pages.staff.leader_view import LeaderCourseView, SheetView, course_lines
from courses.api.pages.templating import private_redirect
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import InvalidInput
from courses.domain.ids import is_stored_id
from courses.domain.permissions import Actor
from courses.services.attendance.attendees import Mark, attendee_list, my_courses, set_attendance
from courses.services.context import ServiceContext

__all__ = ["LeaderPages"]

Slug = FromPath[str]


async def _course_page(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    *,
    saved: int | None = None,
    done: str | None = None,
    problems: Sequence[str] = (),
    status: int = 200,
) -> Template:
    view = LeaderCourseView.of(await attendee_list(ctx, actor, slug), tz=ctx.tz)
    positions = {s.position for s in view.sessions}
    context = {
        "course": view,
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
        sparat: FromQuery[int | None] = None,
        klart: FromQuery[str | None] = None,
    ) -> Template:
        return await _course_page(ctx, actor, slug, saved=sparat, done=klart)

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
            return await _course_page(ctx, actor, slug, problems=problems, status=409)
        return private_redirect(f"/kursledare/{slug}?sparat={session}#narvaro-{session}")

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
