"""A registrant's own registration, reached by the secret token in the manage link."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK

from courses.api.http.openapi import problem_responses
from courses.api.http.paths import PathSegment
from courses.api.http.ratelimit import rate_limits
from courses.api.registrant.data_extract import RegistrationDataOut, registration_data_out
from courses.api.registrant.mapping import registration_out
from courses.api.registrant.schemas import RegistrationOut
from courses.services.context import ServiceContext
from courses.services.registration.calendars import registration_ics
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.retention.data_extract import registration_data

__all__ = ["RegistrationController"]


class RegistrationController(Controller):
    path = "/api/registrations"
    tags = ("Anmälningar",)

    @get("/{token:str}", summary="Din anmälan", responses=problem_responses(400, 404, 429))
    async def show(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: PathSegment,
    ) -> RegistrationOut:
        async with rate_limits(request).token_lookup(request, token):
            return registration_out(await get_registration(ctx, token), ctx.tz)

    @get(
        "/{token:str}/invite.ics",
        summary="Dina kursdagar som kalenderfil",
        media_type="text/calendar",
        responses=problem_responses(400, 404, 409, 429),
    )
    async def invite(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: PathSegment,
    ) -> Response[bytes]:
        async with rate_limits(request).token_lookup(request, token):
            calendar = await registration_ics(ctx, token)
        return Response(
            calendar,
            media_type="text/calendar",
            headers={"Content-Disposition": 'attachment; filename="kursdagar.ics"'},
        )

    @get(
        "/{token:str}/data",
        summary="Registerutdrag: allt som är sparat om dig",
        description="Anmälan, kursen, arbetsgivaren, närvaron och mejlen till dig, som de är "
        "sparade. Samma innehåll som hämtningen på sidan /anmalan/{token}.",
        responses=problem_responses(400, 404, 429),
    )
    async def data(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: PathSegment,
    ) -> RegistrationDataOut:
        async with rate_limits(request).token_lookup(request, token):
            found = await registration_data(ctx, token)
        return registration_data_out(found, now=ctx.clock.now(), tz=ctx.tz)

    @delete(
        "/{token:str}",
        status_code=HTTP_200_OK,
        summary="Avanmäl dig",
        responses=problem_responses(400, 404, 409, 429),
    )
    async def cancel(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: PathSegment,
    ) -> RegistrationOut:
        async with rate_limits(request).token_lookup(request, token):
            await cancel_registration(ctx, token)
            return registration_out(await get_registration(ctx, token), ctx.tz)
