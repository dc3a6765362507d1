"""`/godkann/{token}`: the manager's page to approve or decline a registration.

Opening the link only shows who registered for what (mail scanners open every link in a
mail); one of the two buttons POSTs the answer, with the form's CSRF token, and the browser
is sent back to the same address, which then says what was answered. A second click, or a
click after the time ran out, changes nothing and the page says why. Like the registrant's
pages it sends `Referrer-Policy: no-referrer` and `Cache-Control: no-store`: the address is
the secret.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from courses.api.pages.manager.approval_view import ApprovalPageView
from courses.api.pages.templating import private_redirect
from courses.api.pages.tokens import Token, look_up, token_lookup, token_page
from courses.domain.approval import ApprovalAnswered
from courses.services.approval.answers import ApprovalView, approval_view, approve, decline
from courses.services.catalogue.organizers import front_of
from courses.services.context import ServiceContext

__all__ = ["ApprovalPage"]

_ANSWERS = {"godkann": approve, "avsla": decline}


class ApprovalPage(Controller):
    path = "/godkann"
    include_in_schema = False

    # Like the manage links, every route looks its token up through courses.api.pages.tokens.

    @get("/{token:str}", name="approval")
    async def show(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Template:
        return await _page(ctx, await look_up(ctx, request, token, approval_view), token)

    @post("/{token:str}", status_code=303)
    async def answer(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        submitted = await request.form()
        act = _ANSWERS.get(str(submitted.get("svar", "")))
        async with token_lookup(request, token):
            if act is None:
                view = await approval_view(ctx, token)
                problem = "Välj Godkänn eller Avslå."
                return await _page(ctx, view, token, problem=problem, status=400)
            try:
                await act(ctx, token)
            except ApprovalAnswered as exc:
                view = await approval_view(ctx, token)
                return await _page(ctx, view, token, problem=exc.detail, status=409)
        return private_redirect(f"/godkann/{token}")


async def _page(
    ctx: ServiceContext, view: ApprovalView, token: str, *, problem: str = "", status: int = 200
) -> Template:
    """The page, naming the course's organizer in its header, footer and title."""
    context = {
        "approval": ApprovalPageView.of(view, token),
        "problem": problem,
        "organizer": await front_of(ctx, view.course.organizer_id),
    }
    return token_page("approval.html", context, status=status)
