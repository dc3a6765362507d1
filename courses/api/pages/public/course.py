"""`/kurser/{slug}`: a course with all its sessions, and its registration form (POST here)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.api.http.ratelimit import TooManyRequests, rate_limits
from courses.api.pages.forms import FormState
from courses.api.pages.public.course_view import CourseView
from courses.api.pages.public.registration_form import (
    CONFIRMED,
    add_domain_error,
    parse_form,
    read_form,
)
from courses.api.pages.templating import page
from courses.domain.errors import (
    AlreadyRegistered,
    CourseFull,
    InvalidInput,
    NotEligible,
    NotYetOpen,
    RegistrationClosed,
)
from courses.services.catalogue.cache import CatalogueCache
from courses.services.catalogue.listing import list_employers
from courses.services.context import ServiceContext
from courses.services.registration.register import register

__all__ = ["CoursePage"]

# The statuses of the API for the same refusals (courses.api.http.problems).
_FIELD_REFUSALS: dict[type[Exception], int] = {
    InvalidInput: 400,
    NotEligible: 422,
    AlreadyRegistered: 409,
}
_COURSE_REFUSALS = (CourseFull, RegistrationClosed, NotYetOpen)
_TOO_MANY = (
    "Det har kommit för många anmälningsförsök med den här e-postadressen på kort tid. "
    "Vänta en stund och skicka sedan formuläret igen; det du har skrivit finns kvar."
)


async def _course_page(
    ctx: ServiceContext,
    catalogue: CatalogueCache,
    slug: str,
    form: FormState,
    *,
    refusal: str = "",
    status: int = 200,
) -> Template:
    listing, organizer = await catalogue.course_page(ctx, slug)
    employers = await list_employers(ctx, organizer_id=listing.course.organizer_id)
    context = {
        "organizer": organizer,
        "home": organizer.home if organizer else "/",
        "course": CourseView.of(listing, now=ctx.clock.now(), tz=ctx.tz),
        "employers": [(e.key, e.name) for e in employers],
        "form": form,
        "refusal": refusal,
        "confirmed_value": CONFIRMED,
        "has_errors": form.has_errors or bool(refusal),
    }
    return page("course.html", context, status=status)


class CoursePage(Controller):
    path = "/kurser"
    include_in_schema = False

    @get("/{slug:str}", name="course")
    async def show(
        self,
        ctx: NamedDependency[ServiceContext],
        catalogue: NamedDependency[CatalogueCache],
        slug: FromPath[str],
    ) -> Template:
        return await _course_page(ctx, catalogue, slug, FormState())

    @post("/{slug:str}", status_code=303)
    async def submit(
        self,
        ctx: NamedDependency[ServiceContext],
        catalogue: NamedDependency[CatalogueCache],
        slug: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        """Register; 303 to the new registration's own page, or the form again with its
        errors and every typed value kept."""
        form = read_form(await request.form())
        registration = parse_form(form)
        if registration is None:
            return await _course_page(ctx, catalogue, slug, form, status=400)
        try:
            # The API's limits, per course and mailbox and per client address: the same
            # person cannot try faster through the page than through the API.
            await rate_limits(request).registration(request, course=slug, email=registration.email)
        except TooManyRequests as exc:
            limited = await _course_page(ctx, catalogue, slug, form, refusal=_TOO_MANY, status=429)
            limited.headers["Retry-After"] = str(exc.retry_after)
            return limited
        try:
            receipt = await register(ctx, slug, registration)
        except (InvalidInput, NotEligible, AlreadyRegistered) as exc:
            add_domain_error(form, exc)
            return await _course_page(ctx, catalogue, slug, form, status=_FIELD_REFUSALS[type(exc)])
        except _COURSE_REFUSALS as exc:
            return await _course_page(ctx, catalogue, slug, form, refusal=exc.detail, status=409)
        return Redirect(f"/anmalan/{receipt.token}", status_code=303)
