"""`/godkann/{token}`: the manager's page to approve or decline a registration.

Opening the link only shows who registered for what (mail scanners open every link in a
mail); one of the two buttons POSTs the answer, with the form's CSRF token, and the browser
is sent back to the same address, which then says what was answered. A second click, or a
click after the time ran out, changes nothing and the page says why. Like the registrant's
pages it sends `Referrer-Policy: no-referrer` and `Cache-Control: no-store`: the address is
the secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.api.http.ratelimit import rate_limits
from courses.api.pages.templating import page, page_headers
from courses.api.pages.views import SessionView
from courses.api.pages.wording import session_day, session_time
from courses.domain.approval import ApprovalAnswered
from courses.domain.rules import RegistrationStatus
from courses.services.approval.answers import ApprovalView, approval_view, approve, decline
from courses.services.context import ServiceContext

__all__ = ["ApprovalPage"]

Token = FromPath[str]

_ANSWERS = {"godkann": approve, "avsla": decline}


@dataclass(frozen=True, slots=True)
class ApprovalPageView:
    path: str
    state: str
    """`open`, `approved`, `cancelled` or `expired`: which text the page shows."""
    heading: str
    lead: str
    name: str
    email: str
    employer: str
    workplace: str
    course_title: str
    course_url: str
    participation: str
    sessions: list[SessionView]
    last_day: str | None

    @classmethod
    def of(cls, view: ApprovalView, token: str) -> ApprovalPageView:
        course = view.course
        fmt = view.format
        state, heading, lead = _state(view)
        where = "Digitalt" if fmt is not None and fmt.digital else None
        return cls(
            path=f"/godkann/{token}",
            state=state,
            heading=heading,
            lead=lead,
            name=view.name,
            email=view.email,
            employer=view.employer,
            workplace=view.workplace,
            course_title=course.title,
            course_url=f"/kurser/{course.slug}",
            participation=(
                "Digitalt"
                if fmt is not None and fmt.digital
                else f"På plats{f' i {fmt.place}' if fmt and fmt.place else ''}"
            ),
            sessions=[
                SessionView(
                    day=session_day(s),
                    time=session_time(s),
                    where=where or s.place or (fmt.place if fmt else None) or "Meddelas senare",
                )
                for s in course.sessions
            ],
            last_day=view.last_day,
        )


def _state(view: ApprovalView) -> tuple[str, str, str]:
    who = view.name
    if view.course_cancelled and view.status is not RegistrationStatus.CANCELLED:
        return (
            "cancelled",
            "Kursen är inställd",
            f"{view.course.title} blir inte av, så anmälan av {who} behöver inget svar.",
        )
    if view.open:
        return (
            "open",
            "Godkänn anmälan",
            f"{who} har anmält sig till {view.course.title} och har angett dig som chef.",
        )
    if view.status is RegistrationStatus.CONFIRMED:
        return (
            "approved",
            "Anmälan är godkänd",
            f"{who} har fått ett mejl om att platsen är bekräftad, med kalenderinbjudan.",
        )
    if view.status is RegistrationStatus.PENDING_APPROVAL:
        return (
            "expired",
            "Tiden för att svara har gått ut",
            f"Anmälan av {who} tas bort och platsen går till nästa på reservlistan.",
        )
    if view.withdrawn:
        return (
            "cancelled",
            "Anmälan är inte längre aktuell",
            f"{who} är avanmäld från kursen, så anmälan behöver inte längre ditt godkännande.",
        )
    return (
        "cancelled",
        "Anmälan är inte längre aktuell",
        f"Anmälan av {who} är avslagen eller avanmäld. {who} har fått besked om det.",
    )


class ApprovalPage(Controller):
    path = "/godkann"
    include_in_schema = False

    # Like the manage links: limited per token, and unknown tokens per client address.

    @get("/{token:str}", name="approval")
    async def show(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Template:
        with rate_limits(request).token_lookup(request, token):
            view = await approval_view(ctx, token)
        return _page(view, token)

    @post("/{token:str}", status_code=303)
    async def answer(
        self, ctx: NamedDependency[ServiceContext], request: Request[Any, Any, Any], token: Token
    ) -> Response[Any]:
        submitted = await request.form()
        act = _ANSWERS.get(str(submitted.get("svar", "")))
        with rate_limits(request).token_lookup(request, token):
            if act is None:
                view = await approval_view(ctx, token)
                return _page(view, token, problem="Välj Godkänn eller Avslå.", status=400)
            try:
                await act(ctx, token)
            except ApprovalAnswered as exc:
                view = await approval_view(ctx, token)
                return _page(view, token, problem=exc.detail, status=409)
        return Redirect(f"/godkann/{token}", status_code=303, headers=page_headers(private=True))


def _page(view: ApprovalView, token: str, *, problem: str = "", status: int = 200) -> Template:
    context = {"approval": ApprovalPageView.of(view, token), "problem": problem}
    return page("approval.html", context, status=status, private=True)
