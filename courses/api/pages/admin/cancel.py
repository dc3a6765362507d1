"""`/admin/kurser/{slug}/installa` (and `?kursdag=N` for one session): cancel with a reason
that goes into the mail to everyone concerned. The GET shows what will happen (who is told,
whose invites are cancelled) and asks for the reason; the button POSTs to the same services as
`PATCH /api/admin/courses/{slug}` and `DELETE /api/admin/courses/{slug}/sessions/{n}`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.pages.templating import private_redirect
from courses.api.pages.wording import session_day, session_time
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import InvalidInput, StaffConflict
from courses.domain.permissions import Actor
from courses.domain.reasons import MAX_REASON, clean_reason
from courses.services.context import ServiceContext
from courses.services.schedule.cancel_preview import preview_cancel
from courses.services.schedule.course_edits import cancel_course, cancel_session

__all__ = ["CancelCoursePage"]

_FIELDS = ("reason",)


async def _ask(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    session: int | None,
    *,
    form: FormState | None = None,
    refusal: str = "",
    status: int = 200,
) -> Template:
    preview = await preview_cancel(ctx, actor, slug, session)
    form = form or FormState(fields=_FIELDS)
    chosen = preview.session
    context = {
        "preview": preview,
        "course": preview.course,
        "session": chosen,
        "session_when": f"{session_day(chosen)}, {session_time(chosen)}" if chosen else "",
        "query": f"?kursdag={chosen.position}" if chosen else "",
        "form": form,
        "refusal": refusal,
        "has_errors": form.has_errors or bool(refusal),
        "max_reason": MAX_REASON,
    }
    return staff_page("admin_cancel.html", context, actor, status=status)


class CancelCoursePage(Controller):
    path = "/admin/kurser"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/{slug:str}/installa", name="admin-cancel")
    async def ask(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        kursdag: FromQuery[int | None] = None,
    ) -> Template:
        return await _ask(ctx, actor, slug, kursdag)

    @post("/{slug:str}/installa", status_code=303)
    async def cancel(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        kursdag: FromQuery[int | None] = None,
    ) -> Response[Any]:
        """Cancel; 303 to the course's staff page, which says so, or the page again with the
        reason's error (what was typed kept) or why it cannot be done."""
        form = FormState.of(await request.form(), _FIELDS)
        try:
            # On this page a reason is required: people are told why.
            reason = clean_reason(form.value("reason"), required=True)
            if kursdag is None:
                await cancel_course(ctx, actor, slug, reason=reason)
            else:
                await cancel_session(ctx, actor, slug, kursdag, reason=reason)
        except InvalidInput as exc:
            for error in exc.errors:
                form.add(error.field, error.message, f"Anledning: {error.message}")
            return await _ask(ctx, actor, slug, kursdag, form=form, status=400)
        except StaffConflict as exc:
            return await _ask(ctx, actor, slug, kursdag, form=form, refusal=exc.detail, status=409)
        done = "installd" if kursdag is None else "kursdag-installd"
        return private_redirect(f"/kursledare/{slug}?klart={done}")
