"""`/anmalan/{token}/overlat`: hand a confirmed seat to a colleague of the same employer.

One form: the colleague's name, work address, workplace, phone (optional) and, on a course whose
manager approves, their manager's address, and a box that confirms the seat goes. Opening the
page changes nothing; the form POSTs with its CSRF token. An error is shown next to its field
and in the summary at the top; after the hand-over the browser goes to the registrant's own
page, which says to whom the seat went. The colleague's own link goes only to their mail.
The routes are `courses.api.pages.registrant.manage`'s.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Template

from courses.api.pages.forms import FormState
from courses.api.pages.registrant.transfer_form import (
    CONFIRMED,
    TransferView,
    add_refusal,
    parse_form,
    read_form,
)
from courses.api.pages.templating import private_redirect
from courses.api.pages.tokens import look_up, token_lookup, token_page
from courses.domain.errors import InvalidInput, NotEligible, RegistrationClosed, StaffConflict
from courses.services.catalogue.organizers import front_of
from courses.services.context import ServiceContext
from courses.services.registration.lookup import RegistrationDetails, get_registration
from courses.services.registration.transfer import transfer_registration

__all__ = ["hand_over", "show"]

# The statuses of the API for the same refusals (courses.api.http.problems).
_FIELD_REFUSALS: dict[type[Exception], int] = {InvalidInput: 400, NotEligible: 422}


async def show(ctx: ServiceContext, request: Request[Any, Any, Any], token: str) -> Response[Any]:
    details = await look_up(ctx, request, token, get_registration)
    if not details.can_transfer:
        # Handed on already, not a confirmed seat, or the course has begun: the registrant's
        # own page says where they stand.
        return private_redirect(f"/anmalan/{token}")
    return await _page(ctx, details, token, FormState(fields=()))


async def hand_over(
    ctx: ServiceContext, request: Request[Any, Any, Any], token: str
) -> Response[Any]:
    form = read_form(await request.form())
    async with token_lookup(request, token):
        details = await get_registration(ctx, token)
        colleague = parse_form(form, approval=details.course.needs_approval)
        if colleague is None:
            return await _page(ctx, details, token, form, status=400)
        try:
            await transfer_registration(ctx, token, colleague)
        except (InvalidInput, NotEligible) as exc:
            add_refusal(form, exc)
            return await _page(ctx, details, token, form, status=_FIELD_REFUSALS[type(exc)])
        except (StaffConflict, RegistrationClosed) as exc:
            details = await get_registration(ctx, token)
            return await _page(ctx, details, token, form, refusal=exc.detail, status=409)
    return private_redirect(f"/anmalan/{token}")


async def _page(
    ctx: ServiceContext,
    details: RegistrationDetails,
    token: str,
    form: FormState,
    *,
    refusal: str = "",
    status: int = 200,
) -> Template:
    context = {
        "transfer": TransferView.of(details, token),
        "form": form,
        "refusal": refusal,
        "confirmed_value": CONFIRMED,
        "has_errors": form.has_errors or bool(refusal),
        "organizer": await front_of(ctx, details.course.organizer_id),
    }
    return token_page("transfer.html", context, status=status)
