"""`/kursledare/{slug}/anmal`: a leader (for their own courses) or an admin registers someone who
phoned. The public registration form's fields, checks and wording (`registration_form`), the
same service and mails as registering oneself; the audit log names who did it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from courses.api.pages.forms import FormState
from courses.api.pages.public.registration_form import (
    CONFIRMED,
    FIELDS,
    add_domain_error,
    parse_form,
    read_form,
)
from courses.api.pages.staff.common import staff_page
from courses.api.pages.templating import private_redirect
from courses.api.staff_identity import actor_dependency
from courses.domain.courses import FormatRecord
from courses.domain.errors import (
    AlreadyRegistered,
    CourseFull,
    InvalidInput,
    NotEligible,
    NotYetOpen,
    RegistrationClosed,
)
from courses.domain.permissions import Actor
from courses.services.attendance.attendees import course_for_staff
from courses.services.catalogue.listing import list_employers
from courses.services.context import ServiceContext
from courses.services.registration.by_staff import register_on_behalf

__all__ = ["RegisterForPage", "format_option"]

# The statuses of the public form's page for the same refusals.
_FIELD_REFUSALS: dict[type[Exception], int] = {
    InvalidInput: 400,
    NotEligible: 422,
    AlreadyRegistered: 409,
}
_COURSE_REFUSALS = (CourseFull, RegistrationClosed, NotYetOpen)


def format_option(fmt: FormatRecord) -> dict[str, str]:
    """A format as a choice on a staff form: its key, its name and its free seats."""
    label = "Digitalt" if fmt.digital else f"På plats, {fmt.place}" if fmt.place else "På plats"
    left = fmt.seats_left
    note = "" if left is None else "fullbokat" if left == 0 else f"{left} lediga platser"
    return {"key": fmt.key, "label": label, "note": note}


async def _form_page(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    form: FormState,
    *,
    refusal: str = "",
    status: int = 200,
) -> Template:
    course = await course_for_staff(ctx, actor, slug)
    employers = await list_employers(ctx, organizer_id=course.organizer_id)
    context = {
        "course": course,
        "formats": [format_option(f) for f in course.formats],
        "employers": [(e.key, e.name) for e in employers],
        "form": form,
        "refusal": refusal,
        "confirmed_value": CONFIRMED,
        "has_errors": form.has_errors or bool(refusal),
    }
    return staff_page("leader_register.html", context, actor, status=status)


class RegisterForPage(Controller):
    path = "/kursledare"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/{slug:str}/anmal", name="register-for")
    async def show(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
    ) -> Template:
        return await _form_page(ctx, actor, slug, FormState(fields=FIELDS))

    @post("/{slug:str}/anmal", status_code=303)
    async def submit(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        slug: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        """Register the person; 303 to the course's staff page, which says it is done, or the
        form again with its errors and every typed value kept."""
        await course_for_staff(ctx, actor, slug)  # another leader's course: 404 before reading
        form = read_form(await request.form())
        registration = parse_form(form)
        if registration is None:
            return await _form_page(ctx, actor, slug, form, status=400)
        try:
            await register_on_behalf(ctx, actor, slug, registration)
        except (InvalidInput, NotEligible, AlreadyRegistered) as exc:
            add_domain_error(form, exc)
            return await _form_page(ctx, actor, slug, form, status=_FIELD_REFUSALS[type(exc)])
        except _COURSE_REFUSALS as exc:
            return await _form_page(ctx, actor, slug, form, refusal=exc.detail, status=409)
        return private_redirect(f"/kursledare/{slug}?klart=anmald")
