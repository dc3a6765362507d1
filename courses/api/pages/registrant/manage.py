"""`/anmalan/{token}`: the receipt and the registrant's own page, cancelling with a confirmation
step, answering a seat offered from the waitlist (`offer_page`), handing the seat to a colleague
(`transfer_page`), the certificate and the registerutdrag.

A GET never changes anything (mail scanners open every link in a mail): cancelling is a page
with a button that POSTs.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from courses.api.pages.registrant import offer_page, transfer_page
from courses.api.pages.registrant.data_extract import extract_json
from courses.api.pages.registrant.registration_view import RegistrationView
from courses.api.pages.registrant.wording import swedish_hours
from courses.api.pages.templating import page_headers, private_redirect
from courses.api.pages.tokens import Token, look_up, token_page
from courses.api.pages.wording import session_time
from courses.domain.errors import RegistrationClosed, RegistrationNotFound
from courses.domain.rules import swedish_date
from courses.services.attendance.certificates import certificate
from courses.services.catalogue.organizers import front_of
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.retention.data_extract import registration_data

__all__ = ["RegistrationPage"]


async def _view(ctx: ServiceContext, token: str) -> RegistrationView:
    details = await get_registration(ctx, token)
    return RegistrationView.of(
        details,
        token,
        now=ctx.clock.now(),
        tz=ctx.tz,
        reminder_days=ctx.settings.reminder_days,
    )


async def _organizer(ctx: ServiceContext, view: RegistrationView) -> dict[str, Any]:
    """The page's organizer: the course's, named in the header, footer and title."""
    return {"organizer": await front_of(ctx, view.organizer_id)}


class RegistrationPage(Controller):
    path = "/anmalan"
    include_in_schema = False

    # Every route here looks its token up as the manager's page does (courses.api.pages.tokens).

    @get("/{token:str}", name="registration")
    async def show(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Template:
        view = await look_up(ctx, request, token, _view)
        context = {"registration": view, "problem": "", **await _organizer(ctx, view)}
        return token_page("registration.html", context)

    @get("/{token:str}/avanmal", name="cancel-confirm")
    async def confirm_cancel(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        view = await look_up(ctx, request, token, _view)
        if view.cancel_url is None:
            # Already cancelled, or the course has begun: the page itself says why.
            return private_redirect(view.path)
        return token_page("cancel.html", {"registration": view, **await _organizer(ctx, view)})

    @post("/{token:str}/avanmal", status_code=303)
    async def cancel(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        try:
            await look_up(ctx, request, token, cancel_registration)
        except RegistrationNotFound:
            # Cancelled already (a second click, another tab): the page shows it is; an
            # unknown token gets the page's 404.
            pass
        except RegistrationClosed as exc:
            view = await _view(ctx, token)
            context = {"registration": view, "problem": exc.detail, **await _organizer(ctx, view)}
            return token_page("registration.html", context, status=409)
        return private_redirect(f"/anmalan/{token}")

    @get("/{token:str}/erbjudande", name="offer")
    async def offer(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Template:
        return await offer_page.show(ctx, request, token)

    @post("/{token:str}/erbjudande", status_code=303)
    async def answer_offer(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        return await offer_page.answer(ctx, request, token)

    @get("/{token:str}/overlat", name="transfer")
    async def transfer(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        return await transfer_page.show(ctx, request, token)

    @post("/{token:str}/overlat", status_code=303)
    async def hand_over(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        return await transfer_page.hand_over(ctx, request, token)

    @get("/{token:str}/intyg", name="certificate")
    async def certificate(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Template:
        found = await look_up(ctx, request, token, certificate)
        context = {
            "c": found,
            "back": f"/anmalan/{token}",
            "sessions": [
                {"day": swedish_date(s.day), "time": session_time(s)} for s in found.sessions
            ],
            "hours": swedish_hours(found.hours),
            "issued": swedish_date(found.issued),
        }
        return token_page("certificate.html", context)

    @get("/{token:str}/registerutdrag", name="registration-data")
    async def data(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[bytes]:
        stored = await look_up(ctx, request, token, registration_data)
        body = extract_json(
            stored,
            base_url=ctx.settings.base_url,
            now=ctx.clock.now(),
            tz=ctx.tz,
        )
        return Response(
            body,
            media_type="application/json; charset=utf-8",
            headers={
                **page_headers(private=True),
                "Content-Disposition": 'attachment; filename="registerutdrag.json"',
            },
        )
