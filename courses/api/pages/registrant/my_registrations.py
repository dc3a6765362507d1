"""`/mina-anmalningar`: give your address, get one mail listing your registrations with their
links. The page answers the same whether or not the address has registrations, and the rate
limits count before anyone knows: nothing here tells whether someone registered."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from courses.api.http.ratelimit import TooManyRequests, rate_limits
from courses.api.pages.forms import FormState
from courses.api.pages.templating import page
from courses.domain.addresses import canonical_email
from courses.services.context import ServiceContext
from courses.services.registration.my_registrations import mail_my_registrations
from courses.validation import EMAIL_MESSAGE

__all__ = ["MyRegistrationsPage"]

_NO_EMAIL = "Ange din e-postadress."
_TOO_MANY = (
    "Det har kommit för många förfrågningar om anmälningar på kort tid. Vänta en stund och "
    "försök sedan igen."
)


def _form_page(form: FormState, *, status: int = 200, general: list[str] | None = None) -> Template:
    context = {
        "form": form,
        "general": general or [],
        "has_errors": form.has_errors or bool(general),
        "sent": False,
    }
    return page("my_registrations.html", context, status=status, private=True)


class MyRegistrationsPage(Controller):
    path = "/mina-anmalningar"
    include_in_schema = False

    @get("/", name="my-registrations")
    async def ask(self) -> Template:
        return _form_page(FormState())

    @post("/", status_code=200)
    async def send_list(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any]
    ) -> Template:
        submitted = await request.form()
        email = submitted.get("email")
        email = email.strip() if isinstance(email, str) else ""
        form = FormState(values={"email": email})
        if not email:
            form.add("email", _NO_EMAIL)
        else:
            try:
                email = canonical_email(email)
            except ValueError:
                form.add("email", EMAIL_MESSAGE)
        if form.has_errors:
            return _form_page(form, status=400)
        try:
            await rate_limits(request).my_registrations(request, email=email)
        except TooManyRequests as exc:
            limited = _form_page(form, status=429, general=[_TOO_MANY])
            limited.headers["Retry-After"] = str(exc.retry_after)
            return limited
        # Known or not, the same page: what the service returns is not shown.
        await mail_my_registrations(ctx, email)
        context = {"form": form, "general": [], "has_errors": False, "sent": True}
        return page("my_registrations.html", context, private=True)
