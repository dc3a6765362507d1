"""`POST /api/my-registrations`: mail a mailbox the list of its registrations, with their
links. The answer is the same 202 for any address (known or not), so it tells nobody whether
an address has registered."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body
from litestar.status_codes import HTTP_202_ACCEPTED

from courses.api.http.openapi import problem_responses
from courses.api.http.ratelimit import rate_limits
from courses.services.context import ServiceContext
from courses.services.registration.my_registrations import mail_my_registrations
from courses.validation import Checked, Email

__all__ = ["ASKED", "MyRegistrationsAsked", "MyRegistrationsController", "MyRegistrationsIn"]

ASKED = (
    "Om adressen har anmälningar hos oss skickar vi ett mejl till den med en lista över "
    "anmälningarna och länkarna till dem. Kommer det inget mejl inom några minuter har "
    "adressen inga anmälningar till kommande kurser."
)
"""The one answer, whatever the address (the page says the same)."""


class MyRegistrationsIn(msgspec.Struct, Checked, forbid_unknown_fields=True, kw_only=True):
    """The address whose registrations are wanted; any `+tag` counts as the same mailbox."""

    email: Email


class MyRegistrationsAsked(msgspec.Struct, kw_only=True):
    detail: str


class MyRegistrationsController(Controller):
    path = "/api/my-registrations"
    tags = ("Anmälningar",)

    @post(
        "/",
        status_code=HTTP_202_ACCEPTED,
        summary="Få dina anmälningar mejlade",
        description=(
            "Mejlar en lista över adressens anmälningar till kurser som inte är över, var och en "
            "med sin länk (`manage_url`), till adressen. Svaret är detsamma för alla adresser, "
            "och en adress får listan högst en gång på 10 minuter."
        ),
        responses=problem_responses(400, 413, 415, 429),
    )
    async def ask(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        data: Annotated[
            MyRegistrationsIn,
            Body(examples=[Example(summary="En adress", value={"email": "anna@vaxjo.se"})]),
        ],
    ) -> MyRegistrationsAsked:
        await rate_limits(request).my_registrations(request, email=data.email)
        # Known or not, the same answer: what the service returns is not shown.
        await mail_my_registrations(ctx, data.email)
        return MyRegistrationsAsked(detail=ASKED)
