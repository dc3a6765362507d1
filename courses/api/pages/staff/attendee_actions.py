"""An admin acts for one person on a course's staff page: cancel their registration (with a
reason they read in the mail), move them up from the waitlist, or move them to another format.

Each action is a page that asks (GET changes nothing) and a button that POSTs, through the same
services as `/api/admin/registrations/{id}/...`. Leaders see the page's list but not these
actions: the services are the admins' (DESIGN: "Running the year"), and a leader who opens one
gets the 403 page. A person who is not on the course, or no longer registered, is a 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.pages.staff.leader_view import status_words
from courses.api.pages.staff.register_for import format_option
from courses.api.pages.templating import private_redirect
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import InvalidInput, StaffConflict
from courses.domain.permissions import Actor
from courses.domain.reasons import MAX_REASON
from courses.domain.rules import RegistrationStatus
from courses.services.attendance.attendees import AttendeeList, AttendeeRow, attendee_list
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.registration.on_behalf import (
    cancel_on_behalf,
    move_to_format,
    promote_by_hand,
)

__all__ = ["DONE", "AttendeeActionPages"]

Slug = FromPath[str]
PersonId = FromPath[int]
_PATH = "/{slug:str}/deltagare/{registration_id:int}"
_FIELDS = ("reason", "format")

DONE = {
    "anmald": "Anmälan är gjord. Personen får ett mejl om den till sin egen adress.",
    "avanmald": "Personen är avanmäld och får ett mejl om det.",
    "uppflyttad": "Personen är uppflyttad från reservlistan och får ett mejl om det.",
    "flyttad": "Personen har bytt format och får ett mejl om det.",
    "installd": "Kursen är inställd. Alla som var anmälda får ett mejl med din anledning.",
    "kursdag-installd": (
        "Kursdagen är inställd. De anmälda får ett mejl med din anledning och uppdaterade "
        "kalenderinbjudningar."
    ),
}
"""What the course's staff page says after an action here, by its `?klart=` (the admins'
cancel page and the registration by phone come back the same way)."""


async def _person(
    ctx: ServiceContext, actor: Actor, slug: str, registration_id: int
) -> tuple[AttendeeList, AttendeeRow]:
    require_admin(actor)
    found = await attendee_list(ctx, actor, slug, with_cancelled=False)
    row = next((r for r in found.rows if r.registration_id == registration_id), None)
    if row is None:
        raise NotFoundException()
    return found, row


async def _ask(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    registration_id: int,
    action: str,
    *,
    form: FormState | None = None,
    refusal: str = "",
    status: int = 200,
) -> Template:
    found, row = await _person(ctx, actor, slug, registration_id)
    form = form or FormState(fields=_FIELDS)
    others = [format_option(f) for f in found.course.formats if f.key != row.format_key]
    context = {
        "course": found.course,
        "person": row,
        "action": action,
        "waitlisted": row.status is RegistrationStatus.WAITLISTED,
        "status": (
            f"Reservlista, plats {row.waitlist_position}"
            if row.waitlist_position
            else status_words(row.status)
        ),
        "formats": others,
        "form": form,
        "refusal": refusal,
        "has_errors": form.has_errors or bool(refusal),
        "max_reason": MAX_REASON,
    }
    return staff_page("leader_attendee_action.html", context, actor, status=status)


def _done(slug: str, what: str) -> Response[Any]:
    return private_redirect(f"/kursledare/{slug}?klart={what}")


class AttendeeActionPages(Controller):
    path = "/kursledare"
    include_in_schema = False
    dependencies = actor_dependency()

    @get(f"{_PATH}/avanmal", name="attendee-cancel")
    async def ask_cancel(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: Slug,
        registration_id: PersonId,
    ) -> Template:
        return await _ask(ctx, actor, slug, registration_id, "cancel")

    @post(f"{_PATH}/avanmal", status_code=303)
    async def cancel(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: Slug,
        registration_id: PersonId,
    ) -> Response[Any]:
        await _person(ctx, actor, slug, registration_id)
        form = FormState.of(await request.form(), _FIELDS)
        try:
            await cancel_on_behalf(ctx, actor, registration_id, reason=form.value("reason"))
        except InvalidInput as exc:
            for error in exc.errors:
                form.add(error.field, error.message, f"Anledning: {error.message}")
            return await _ask(ctx, actor, slug, registration_id, "cancel", form=form, status=400)
        return _done(slug, "avanmald")

    @get(f"{_PATH}/flytta-upp", name="attendee-promote")
    async def ask_promote(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: Slug,
        registration_id: PersonId,
    ) -> Template:
        return await _ask(ctx, actor, slug, registration_id, "promote")

    @post(f"{_PATH}/flytta-upp", status_code=303)
    async def promote(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: Slug,
        registration_id: PersonId,
    ) -> Response[Any]:
        await _person(ctx, actor, slug, registration_id)
        try:
            await promote_by_hand(ctx, actor, registration_id)
        except StaffConflict as exc:
            return await _ask(
                ctx, actor, slug, registration_id, "promote", refusal=exc.detail, status=409
            )
        return _done(slug, "uppflyttad")

    @get(f"{_PATH}/byt-format", name="attendee-move")
    async def ask_move(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: Slug,
        registration_id: PersonId,
    ) -> Template:
        return await _ask(ctx, actor, slug, registration_id, "move")

    @post(f"{_PATH}/byt-format", status_code=303)
    async def move(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        slug: Slug,
        registration_id: PersonId,
    ) -> Response[Any]:
        await _person(ctx, actor, slug, registration_id)
        form = FormState.of(await request.form(), _FIELDS)
        try:
            await move_to_format(ctx, actor, registration_id, form.value("format"))
        except InvalidInput as exc:
            form.add("format", exc.detail, f"Nytt format: {exc.detail}")
            return await _ask(ctx, actor, slug, registration_id, "move", form=form, status=400)
        except StaffConflict as exc:
            return await _ask(
                ctx,
                actor,
                slug,
                registration_id,
                "move",
                form=form,
                refusal=exc.detail,
                status=409,
            )
        return _done(slug, "flyttad")
