"""`/admin/personal`: the organizer's admins (add by address and name, remove), how its staff
sign in (the provider of `[organizer.oidc]`, shown, set in the schedule file) and the API
tokens of programs (create: the token is shown once; revoke). The same services as
`courses staff` and `courses token` (`courses.services.staff`), with the actor and their audit
entries; an admin cannot remove themselves while they are the organizer's last admin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.pages.wording import swedish_moment
from courses.api.staff_identity import actor_dependency
from courses.domain.errors import InvalidInput, StaffConflict
from courses.domain.permissions import Actor, Role
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.staff import admins, api_tokens, oidc_settings
from courses.services.staff.api_tokens import NewToken

__all__ = ["StaffPage"]

_NOTICES = {
    "admin": "{} är nu administratör och kan logga in på /logga-in med sin adress.",
    "redan": "{} var redan administratör.",
    "borttagen": "{} är inte längre administratör.",
    "aterkallad": "Token {} är återkallad och fungerar inte längre.",
}


async def _typed(request: Request[Any, Any, Any], *names: str) -> FormState:
    data = await request.form()
    return FormState(values={name: str(data.get(name, "")).strip() for name in names})


def _done(what: str, who: object, anchor: str) -> Redirect:
    return Redirect(
        f"/admin/personal?{urlencode({'klar': what, 'vem': str(who)})}#{anchor}", status_code=303
    )


class StaffPage(Controller):
    path = "/admin/personal"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/", name="admin-staff")
    async def show(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        klar: FromQuery[str | None] = None,
        vem: FromQuery[str | None] = None,
    ) -> Template:
        notice = _NOTICES[klar].format(vem) if klar in _NOTICES and vem else ""
        return await _page(ctx, actor, notice=notice)

    @post("/administratorer", status_code=303)
    async def add_admin(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Redirect | Template:
        form = await _typed(request, "email", "name")
        try:
            added, _ = await admins.add_account(
                ctx, form.value("email"), Role.ADMIN, name=form.value("name"), actor=actor
            )
        except InvalidInput as exc:
            for error in exc.errors:
                form.add("email", error.message)
            return await _page(ctx, actor, admin_form=form, status=400)
        return _done("admin" if added else "redan", form.value("email"), "administratorer")

    @post("/administratorer/{account_id:int}/ta-bort", status_code=303)
    async def remove_admin(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        account_id: FromPath[int],
    ) -> Redirect | Template:
        try:
            removed = await admins.remove_account(ctx, account_id, actor=actor)
        except StaffConflict as exc:
            return await _page(ctx, actor, general=[exc.detail], status=409)
        return _done("borttagen", removed.email, "administratorer")

    @post("/tokens", status_code=200)
    async def create_token(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Template:
        """The new token on the page it answers with: shown this once, never stored."""
        form = await _typed(request, "label")
        try:
            created = await api_tokens.create_token(
                ctx, Role.ADMIN, label=form.value("label"), actor=actor
            )
        except InvalidInput as exc:
            for error in exc.errors:
                form.add("label", error.message)
            return await _page(ctx, actor, token_form=form, status=400)
        return await _page(ctx, actor, created=created)

    @post("/tokens/{token_id:int}/aterkalla", status_code=303)
    async def revoke_token(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        token_id: FromPath[int],
    ) -> Redirect:
        await api_tokens.revoke_token(ctx, token_id, actor=actor)
        return _done("aterkallad", token_id, "tokens")


async def _page(
    ctx: ServiceContext,
    actor: Actor,
    *,
    admin_form: FormState | None = None,
    token_form: FormState | None = None,
    created: NewToken | None = None,
    general: list[str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Template:
    require_admin(actor)
    admin_form = admin_form or FormState()
    token_form = token_form or FormState()
    accounts = await admins.list_accounts(ctx, actor)
    tokens = await api_tokens.list_tokens(ctx, actor)
    sign_in = await oidc_settings.sign_in_overview(ctx, actor)
    context = {
        "admin_form": admin_form,
        "token_form": token_form,
        "summary": [*admin_form.summary, *token_form.summary],
        "general": general or [],
        "has_errors": admin_form.has_errors or token_form.has_errors or bool(general),
        "notice": notice,
        "created": created,
        "admins": [a for a in accounts if a.role == Role.ADMIN],
        "me": actor.leader_key,
        "sign_in": sign_in,
        "tokens": [
            {
                "t": t,
                "created": swedish_moment(t.created_at, ctx.tz),
                "used": swedish_moment(t.last_used_at, ctx.tz) if t.last_used_at else "aldrig",
                "revoked": swedish_moment(t.revoked_at, ctx.tz) if t.revoked_at else "",
            }
            for t in sorted(tokens, key=lambda t: t.id, reverse=True)
        ],
    }
    return staff_page("admin/staff.html", context, actor, status=status)
