"""`/anmalan/{token}/erbjudande`: a seat offered from the waitlist, answered with a button.

Opening the link shows the offer and changes nothing (mail scanners open every link in a
mail); Tacka ja or Tacka nej POSTs the answer with the form's CSRF token, and the browser is
sent back to the same address, which then says how it went. An answer that comes too late (the
offer lapsed, someone else took the seat, the course began) gets the page again with 409 and
what happened, beside where the registrant stands now. The routes are
`courses.api.pages.registrant.manage`'s.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from courses.api.pages.registrant.offer_view import OfferPageView
from courses.api.pages.templating import private_redirect
from courses.api.pages.tokens import look_up, token_lookup, token_page
from courses.domain.errors import OfferClosed
from courses.services.catalogue.organizers import front_of
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.registration.lookup import RegistrationDetails, get_registration

__all__ = ["answer", "show"]

_ANSWERS = {"ja": True, "nej": False}


async def show(ctx: ServiceContext, request: Request[Any, Any, Any], token: str) -> Template:
    return await _page(ctx, await look_up(ctx, request, token, get_registration), token)


async def answer(ctx: ServiceContext, request: Request[Any, Any, Any], token: str) -> Response[Any]:
    submitted = await request.form()
    accept = _ANSWERS.get(str(submitted.get("svar", "")))
    async with token_lookup(request, token):
        if accept is None:
            details = await get_registration(ctx, token)
            problem = "Välj Tacka ja eller Tacka nej."
            return await _page(ctx, details, token, problem=problem, status=400)
        try:
            await answer_offer(ctx, token, accept=accept)
        except OfferClosed as exc:
            details = await get_registration(ctx, token)
            return await _page(ctx, details, token, problem=exc.detail, status=409)
    return private_redirect(f"/anmalan/{token}/erbjudande")


async def _page(
    ctx: ServiceContext,
    details: RegistrationDetails,
    token: str,
    *,
    problem: str = "",
    status: int = 200,
) -> Template:
    view = OfferPageView.of(details, token, now=ctx.clock.now(), tz=ctx.tz)
    context = {
        "offer": view,
        "problem": problem,
        "organizer": await front_of(ctx, details.course.organizer_id),
    }
    return token_page("offer.html", context, status=status)
