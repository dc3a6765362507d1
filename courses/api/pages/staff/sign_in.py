"""`/logga-in`: asking for a mailed sign-in link, confirming it with a button, signing in at
an organizer's OpenID provider (a button per provider, then its callback), signing out.

The answer to "mail me a link" is the same page whether or not the address is staff's, and the
rate limits count before anyone knows: nothing here tells who is a leader or an admin. Opening
a link only reads it (mail scanners open every link); the button's POST spends it.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.api.http.dependencies import provide_ctx
from courses.api.http.ratelimit import TooManyRequests, rate_limits
from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import DEFAULT_TARGET, local_target
from courses.api.pages.templating import page, page_headers, private_redirect
from courses.api.staff_identity import (
    SESSION_COOKIE,
    clear_session_cookie,
    optional_actor,
    session_cookie,
)
from courses.domain.addresses import canonical_email
from courses.services.context import ServiceContext
from courses.services.staff import oidc, sign_in
from courses.validation import EMAIL_MESSAGE

__all__ = ["SignInPage"]

TARGET_COOKIE = "courses_till"
"""Where to go after signing in, kept from the request for a link to its confirmation: the
mailed link itself carries only its token."""

OIDC_COOKIE = "courses_oidc"
"""The organizer whose provider signed this browser in: signing out ends the session there too."""

_NO_EMAIL = "Ange din e-postadress."
_TOO_MANY = (
    "Det har kommit för många försök att logga in på kort tid. Vänta en stund och försök "
    "sedan igen."
)


def _target_cookie(request: Request[Any, Any, Any], target: str) -> Cookie:
    return Cookie(
        key=TARGET_COOKIE,
        value=target,
        path="/logga-in",
        httponly=True,
        samesite="lax",
        secure=str(request.app.state.get("base_url", "")).startswith("https://"),
        max_age=int(sign_in.LINK_VALID.total_seconds()),
    )


async def _form_page(
    request: Request[Any, Any, Any],
    form: FormState,
    *,
    target: str | None,
    status: int = 200,
    general: list[str] | None = None,
    signed_out: bool = False,
    signed_in_as: str | None = None,
    provider_sign_out: str | None = None,
) -> Template:
    providers = await oidc.providers(provide_ctx(request.app.state))
    context = {
        "form": form,
        "till": target or "",
        "general": general or [],
        "has_errors": form.has_errors or bool(general),
        "signed_out": signed_out,
        "signed_in_as": signed_in_as or "",
        "providers": providers,
        "provider_sign_out": provider_sign_out or "",
    }
    return _to_providers(page("sign_in.html", context, status=status, private=True), providers)


def _to_providers(response: Template, providers: list[oidc.Provider]) -> Template:
    """The page's forms may lead to the providers: a provider's button posts here and is sent
    on to the provider, and browsers hold that redirect to the page's `form-action`."""
    origins = sorted({p.origin for p in providers})
    if origins:
        csp = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = csp.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(origins)
        )
    return response


class SignInPage(Controller):
    path = "/"
    include_in_schema = False

    @get("/logga-in", name="sign-in")
    async def ask(
        self,
        request: Request[Any, Any, Any],
        till: FromQuery[str | None] = None,
        utloggad: FromQuery[str | None] = None,
    ) -> Template:
        actor = await optional_actor(request)
        signed_out = utloggad is not None and actor is None
        provider_key = request.cookies.get(OIDC_COOKIE) if signed_out else None
        end_url = None
        if provider_key:
            end_url = await oidc.end_session_url(provide_ctx(request.app.state), provider_key)
        response = await _form_page(
            request,
            FormState(),
            target=local_target(till),
            signed_out=signed_out,
            signed_in_as=actor.label if actor else None,
            provider_sign_out=end_url,
        )
        if provider_key:
            # Signed out here after signing in at a provider: on to the provider's own sign-out.
            # A redirect from /logga-ut itself would be a form's redirect, which the page's
            # `form-action 'self'` holds back; this page is a navigation of its own.
            if end_url:
                response.headers["Refresh"] = f"0; url={end_url}"
            response.delete_cookie(OIDC_COOKIE, path="/")
        return response

    @post("/logga-in", status_code=200)
    async def send_link(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any]
    ) -> Template:
        submitted = await request.form()
        email = submitted.get("email")
        email = email.strip() if isinstance(email, str) else ""
        target = local_target(submitted.get("till"))
        form = FormState(values={"email": email})
        if not email:
            form.add("email", _NO_EMAIL)
        else:
            try:
                canonical_email(email)
            except ValueError:
                form.add("email", EMAIL_MESSAGE)
        if form.has_errors:
            return await _form_page(request, form, target=target, status=400)
        try:
            await rate_limits(request).sign_in(request, email=email)
        except TooManyRequests as exc:
            limited = await _form_page(
                request, form, target=target, status=429, general=[_TOO_MANY]
            )
            limited.headers["Retry-After"] = str(exc.retry_after)
            return limited
        # Known or not, the same page: what request_sign_in returns is not shown.
        await sign_in.request_sign_in(ctx, email)
        sent = page("sign_in_sent.html", {"email": email}, private=True)
        if target:
            sent.cookies.append(_target_cookie(request, target))
        return sent

    @get("/logga-in/{token:str}", name="sign-in-link")
    async def open_link(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: FromPath[str],
        till: FromQuery[str | None] = None,
    ) -> Template:
        if not await sign_in.link_is_usable(ctx, token):
            await rate_limits(request).count_link_guess(request)
            return page("sign_in_link.html", {"usable": False}, status=404, private=True)
        target = local_target(till) or local_target(request.cookies.get(TARGET_COOKIE))
        context = {"usable": True, "action": f"/logga-in/{token}", "till": target or ""}
        return page("sign_in_link.html", context, private=True)

    @post("/logga-in/{token:str}", status_code=303)
    async def confirm(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        token: FromPath[str],
    ) -> Response[Any]:
        signed_in = await sign_in.confirm_sign_in(ctx, token)
        if signed_in is None:
            await rate_limits(request).count_link_guess(request)
            return page("sign_in_link.html", {"usable": False}, status=404, private=True)
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            await sign_in.sign_out(ctx, previous)  # one browser, one session
        submitted = await request.form()
        target = (
            local_target(submitted.get("till"))
            or local_target(request.cookies.get(TARGET_COOKIE))
            or DEFAULT_TARGET
        )
        response = private_redirect(target, cookies=[session_cookie(request, signed_in.cookie)])
        response.delete_cookie(TARGET_COOKIE, path="/logga-in")
        return response

    @post("/logga-in/oidc/{key:str}/start", status_code=303)
    async def start_oidc(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        key: FromPath[str],
    ) -> Response[Any]:
        try:
            url = await oidc.start(ctx, key)
        except oidc.NoProvider as exc:
            return page("sign_in_oidc.html", {"reason": exc.detail}, status=404, private=True)
        except oidc.ProviderUnreachable as exc:
            return await _oidc_refused(ctx, key, exc.detail, status=503)
        return Redirect(url, status_code=303, headers=page_headers(private=True))

    @get("/logga-in/oidc/{key:str}", name="sign-in-oidc")
    async def finish_oidc(
        self,
        ctx: NamedDependency[ServiceContext],
        request: Request[Any, Any, Any],
        key: FromPath[str],
        code: FromQuery[str | None] = None,
        error: FromQuery[str | None] = None,
    ) -> Response[Any]:
        state = request.query_params.get("state")  # `state` is a name Litestar keeps for itself
        if error is not None or not code or not state:
            reason = "Inloggningen avbröts eller nekades hos inloggningstjänsten."
            return await _oidc_refused(ctx, key, reason, status=400)
        try:
            iss = request.query_params.get("iss")
            signed_in = await oidc.finish(ctx, key, code, state, iss=iss)
        except oidc.NoProvider as exc:
            return page("sign_in_oidc.html", {"reason": exc.detail}, status=404, private=True)
        except oidc.OidcRefused as exc:
            # Each refusal is audited: a client that keeps sending made-up answers is slowed
            # down like one guessing links.
            await rate_limits(request).count_link_guess(request)
            reason = f"Du kunde inte loggas in: {exc.detail}."
            return await _oidc_refused(ctx, key, reason, status=403)
        except oidc.ProviderUnreachable as exc:
            return await _oidc_refused(ctx, key, exc.detail, status=503)
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:
            await sign_in.sign_out(ctx, previous)  # one browser, one session
        provider_cookie = Cookie(
            key=OIDC_COOKIE,
            value=key,
            path="/",
            httponly=True,
            samesite="lax",
            secure=str(request.app.state.get("base_url", "")).startswith("https://"),
            max_age=int(sign_in.SESSION_VALID.total_seconds()),
        )
        cookies = [session_cookie(request, signed_in.cookie), provider_cookie]
        return private_redirect(DEFAULT_TARGET, cookies=cookies)

    @post("/logga-ut", status_code=303)
    async def sign_out(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any]
    ) -> Response[Any]:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            await sign_in.sign_out(ctx, cookie)
        # The sign-in page then sends a browser signed in at a provider on to its sign-out
        # (the cookie OIDC_COOKIE says which), when the provider offers one.
        response = Redirect("/logga-in?utloggad=ja", status_code=303)
        clear_session_cookie(response)
        if not cookie:
            response.delete_cookie(OIDC_COOKIE, path="/")
        return response


async def _oidc_refused(ctx: ServiceContext, key: str, reason: str, *, status: int) -> Template:
    """The page saying why, with the mailed link's form where the organizer still allows it."""
    try:
        provider = await oidc.provider(ctx, key)
    except oidc.NoProvider:
        provider = None
    context = {
        "reason": reason,
        "provider": provider,
        "link_allowed": provider is None or provider.link_allowed,
        "form": FormState(),
        "till": "",
    }
    return page("sign_in_oidc.html", context, status=status, private=True)
