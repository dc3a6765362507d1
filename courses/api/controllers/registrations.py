"""A registrant's own registration, reached by the secret token in the manage link."""

from __future__ import annotations

from litestar import Controller, Response, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from courses.api.mapping import registration_out
from courses.api.schemas import RegistrationOut
from courses.services.calendars import registration_ics
from courses.services.cancellation import cancel_registration
from courses.services.context import ServiceContext
from courses.services.lookup import get_registration

__all__ = ["RegistrationController"]


class RegistrationController(Controller):
    path = "/api/registrations"
    tags = ("Anmälningar",)

    @get("/{token:str}", summary="Din anmälan")
    async def show(
        self, ctx: NamedDependency[ServiceContext], token: FromPath[str]
    ) -> RegistrationOut:
        return registration_out(await get_registration(ctx, token), ctx.tz)

    @get(
        "/{token:str}/invite.ics",
        summary="Dina kursdagar som kalenderfil",
        media_type="text/calendar",
    )
    async def invite(
        self, ctx: NamedDependency[ServiceContext], token: FromPath[str]
    ) -> Response[bytes]:
        return Response(
            await registration_ics(ctx, token),
            media_type="text/calendar",
            headers={"Content-Disposition": 'attachment; filename="kursdagar.ics"'},
        )

    @delete("/{token:str}", status_code=HTTP_200_OK, summary="Avanmäl dig")
    async def cancel(
        self, ctx: NamedDependency[ServiceContext], token: FromPath[str]
    ) -> RegistrationOut:
        await cancel_registration(ctx, token)
        return registration_out(await get_registration(ctx, token), ctx.tz)
