"""A registrant's own registration, reached by the secret token in the manage link."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from courses.api.http.openapi import problem_responses
from courses.api.http.paths import PathSegment
from courses.api.http.ratelimit import rate_limits
from courses.api.registrant.data_extract import RegistrationDataOut, registration_data_out
from courses.api.registrant.mapping import registration_out
from courses.api.registrant.schemas import OfferAnswerIn, RegistrationOut, TransferOut
from courses.services.context import ServiceContext
from courses.services.offers.answers import answer_offer
from courses.services.registration.calendars import registration_ics
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.lookup import get_registration
from courses.services.registration.transfer import Colleague, transfer_registration
from courses.services.retention.data_extract import registration_data

__all__ = ["RegistrationController"]


_SHOW = (
    "Anmälan med kursen i korthet. `status` är `confirmed`, `waitlisted`, `pending_approval` "
    "(chefen tillfrågas), `applied` (före en lottning), `offered` (en plats från reservlistan "
    "hålls åt dig: svara med POST .../offer), `transferred` (du har lämnat över platsen till "
    "en kollega, `transferred_to`) eller `cancelled`. `offer` är den senaste platsen du har "
    "erbjudits från reservlistan: till när den kan besvaras (`due_at`), om den erbjöds alla "
    "på reservlistan samtidigt (`open`: den som tackar ja först får platsen) och hur det gick "
    "(`outcome`: null medan den är obesvarad, annars `accepted`, `declined`, `lapsed` eller "
    "`gone`); null om du aldrig har erbjudits en plats."
)
_OFFER = (
    "Tacka ja (`accept: true`) eller nej (`accept: false`) till en plats som erbjuds dig från "
    "reservlistan, så länge erbjudandet gäller (se `offer` i din anmälan). Ja ger platsen "
    "(`confirmed`, eller `pending_approval` där chefen ska godkänna) och en bekräftelse med "
    "kalenderinbjudan; nej tar bort dig från reservlistan och platsen går vidare. Svarar du "
    "för sent blir det 409: `offer-closed` när tiden gått ut, erbjudandet redan är besvarat "
    "eller kursen har börjat, `offer-taken` när någon annan hann tacka ja först; "
    "`waitlist_position` är då din plats på reservlistan (null om du inte står på den)."
)

_TRANSFER = (
    "Lämna över din bekräftade plats till en kollega hos samma arbetsgivare, fram till att "
    "kursen börjar. Kollegan får en bekräftelse med kalenderinbjudan och en egen länk till sin "
    "anmälan, bara i sitt mejl: länken finns inte i svaret. Du får ett mejl som tar bort "
    "kursdagarna ur din kalender, och din anmälan blir `transferred`. Kräver kursen chefens "
    "godkännande anges kollegans chef (`manager_email`); platsen hålls medan chefen tillfrågas "
    "(`status` är då `pending_approval`). 422 `not-eligible` med fältet i `errors` när adressen "
    "hör till en annan arbetsgivare, är din egen eller redan är anmäld; 409 `conflict` när "
    "platsen inte är bekräftad, `registration-closed` när kursen har börjat."
)
_COLLEAGUE_EXAMPLE = {
    "name": "Kim Kollega",
    "email": "kim.kollega@vaxjo.se",
    "workplace": "Beroendemottagningen",
}


class RegistrationController(Controller):
    path = "/api/registrations"
    tags = ("Anmälningar",)

    @get(
        "/{token:str}",
        summary="Din anmälan",
        description=_SHOW,
        responses=problem_responses(400, 404, 429),
    )
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

    @post(
        "/{token:str}/offer",
        status_code=HTTP_200_OK,
        summary="Svara på en erbjuden plats",
        description=_OFFER,
        responses=problem_responses(400, 404, 409, 413, 415, 429),
    )
    async def answer_offer(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: PathSegment,
        data: Annotated[
            OfferAnswerIn,
            Body(examples=[Example(summary="Tacka ja", value={"accept": True})]),
        ],
    ) -> RegistrationOut:
        async with rate_limits(request).token_lookup(request, token):
            await answer_offer(ctx, token, accept=data.accept)
            return registration_out(await get_registration(ctx, token), ctx.tz)

    @post(
        "/{token:str}/transfer",
        status_code=HTTP_201_CREATED,
        summary="Lämna över din plats till en kollega",
        description=_TRANSFER,
        responses=problem_responses(400, 404, 409, 413, 415, 422, 429),
    )
    async def transfer(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: PathSegment,
        data: Annotated[
            Colleague,
            Body(examples=[Example(summary="En kollega", value=_COLLEAGUE_EXAMPLE)]),
        ],
    ) -> TransferOut:
        async with rate_limits(request).token_lookup(request, token):
            handed = await transfer_registration(ctx, token, data)
            mine = registration_out(await get_registration(ctx, token), ctx.tz)
        return TransferOut(status=handed.status, name=handed.name, registration=mine)
