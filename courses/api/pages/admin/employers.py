"""`/admin/arbetsgivare`: the organizer's employers. Add one, change its name, kind and
domains, retire it (a GET asks, the button POSTs) or bring it back. Every action goes through
the services of `/api/admin/employers` (`courses.services.schedule.employers`), with their
audit entries; a field error is shown next to its field with what was typed kept."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from courses.api.http.paths import PathSegment
from courses.api.pages.forms import FormState
from courses.api.pages.staff.common import staff_page
from courses.api.staff_identity import actor_dependency
from courses.domain.employers import EmployerRecord
from courses.domain.errors import InvalidInput, ItemNotFound, StaffConflict
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.permissions import require_admin
from courses.services.schedule import employers as admin_employers

__all__ = ["EmployersPage"]

_KINDS = {"municipality": "Kommun", "region": "Region"}
_FIELDS = ("key", "name", "kind", "domains")
_NOTICES = {
    "ny": "Arbetsgivaren {} är tillagd.",
    "sparad": "Ändringarna av {} är sparade.",
    "inaktiverad": "{} är inaktiverad. Ingen kan längre anmäla sig med den arbetsgivaren.",
    "aktiverad": "{} är aktiv igen.",
}


def domain_list(text: str) -> list[str]:
    """Domains as typed: separated by commas, spaces or line breaks."""
    return [d for d in re.split(r"[\s,;]+", text.strip()) if d]


def _form_of(employer: EmployerRecord) -> FormState:
    return FormState(
        values={
            "key": employer.key,
            "name": employer.name,
            "kind": employer.kind,
            "domains": ", ".join(employer.domains),
        }
    )


def _field_errors(form: FormState, exc: InvalidInput | StaffConflict, *, field: str) -> None:
    """The service's refusal next to its field (`domains[1]` is the domains box)."""
    errors = getattr(exc, "errors", [])
    for error in errors:
        name = error.field.split("[")[0].split(".")[0]
        form.add(name if name in _FIELDS else field, error.message)
    if not errors:
        form.add(field, exc.detail)


def _done(what: str, employer: EmployerRecord) -> Redirect:
    """Back to the list, which says what was done (a GET after the POST)."""
    query = urlencode({"klar": what, "nyckel": employer.key})
    return Redirect(f"/admin/arbetsgivare?{query}#klart", status_code=303)


async def _typed(request: Request[Any, Any, Any]) -> FormState:
    data = await request.form()
    return FormState(
        values={name: str(data.get(name, "")).strip() for name in _FIELDS if name in data}
    )


async def _employer(ctx: ServiceContext, actor: Actor, key: str) -> EmployerRecord:
    found = next(
        (e for e in await admin_employers.list_employers_for_admin(ctx, actor) if e.key == key),
        None,
    )
    if found is None:
        raise ItemNotFound(f"Det finns ingen arbetsgivare med nyckeln {key!r}.")
    return found


class EmployersPage(Controller):
    path = "/admin/arbetsgivare"
    include_in_schema = False
    dependencies = actor_dependency()

    @get("/", name="admin-employers")
    async def show(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        klar: FromQuery[str | None] = None,
        nyckel: FromQuery[str | None] = None,
    ) -> Template:
        form = FormState(values={"kind": "municipality"})
        return await self._list(ctx, actor, form, done=(klar, nyckel))

    async def _list(
        self,
        ctx: ServiceContext,
        actor: Actor,
        form: FormState,
        *,
        done: tuple[str | None, str | None] = (None, None),
        status: int = 200,
    ) -> Template:
        require_admin(actor)
        employers = await admin_employers.list_employers_for_admin(ctx, actor)
        what, key = done
        named = next((e.name for e in employers if e.key == key), None)
        notice = _NOTICES[what].format(named) if what in _NOTICES and named else ""
        context = {
            "form": form,
            "has_errors": form.has_errors,
            "notice": notice,
            "kinds": _KINDS,
            "active": [e for e in employers if not e.retired],
            "retired": [e for e in employers if e.retired],
        }
        return staff_page("admin/employers.html", context, actor, status=status)

    @post("/", status_code=303)
    async def create(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
    ) -> Redirect | Template:
        form = await _typed(request)
        try:
            created = await admin_employers.create_employer(
                ctx,
                actor,
                key=form.value("key"),
                name=form.value("name"),
                kind=form.value("kind"),  # type: ignore[arg-type]
                domains=domain_list(form.value("domains")),
            )
        except (InvalidInput, StaffConflict) as exc:
            _field_errors(form, exc, field="key")
            return await self._list(ctx, actor, form, status=400)
        return _done("ny", created)

    @get("/{key:str}", name="admin-employer")
    async def edit(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], key: PathSegment
    ) -> Template:
        require_admin(actor)
        employer = await _employer(ctx, actor, key)
        return self._edit_page(actor, employer, _form_of(employer))

    def _edit_page(
        self, actor: Actor, employer: EmployerRecord, form: FormState, status: int = 200
    ) -> Template:
        context = {
            "employer": employer,
            "form": form,
            "has_errors": form.has_errors,
            "kinds": _KINDS,
        }
        return staff_page("admin/employer.html", context, actor, status=status)

    @post("/{key:str}", status_code=303)
    async def save(
        self,
        ctx: NamedDependency[ServiceContext],
        actor: NamedDependency[Actor],
        request: Request[Any, Any, Any],
        key: PathSegment,
    ) -> Redirect | Template:
        form = await _typed(request)
        change = admin_employers.EmployerChange(
            name=form.value("name"),
            kind=form.value("kind"),  # type: ignore[arg-type]
            domains=domain_list(form.value("domains")),
        )
        try:
            saved = await admin_employers.change_employer(ctx, actor, key, change)
        except InvalidInput as exc:
            form.values["key"] = key
            _field_errors(form, exc, field="name")
            return self._edit_page(actor, await _employer(ctx, actor, key), form, status=400)
        return _done("sparad", saved)

    @get("/{key:str}/inaktivera", name="admin-employer-retire")
    async def ask_retire(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], key: PathSegment
    ) -> Template:
        """Asks only: the button on this page retires."""
        require_admin(actor)
        employer = await _employer(ctx, actor, key)
        context = {"employer": employer, "form": FormState(), "has_errors": False}
        return staff_page("admin/employer_retire.html", context, actor)

    @post("/{key:str}/inaktivera", status_code=303)
    async def retire(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], key: PathSegment
    ) -> Redirect:
        found = await admin_employers.retire_employer(ctx, actor, key)
        return _done("inaktiverad", found)

    @post("/{key:str}/aktivera", status_code=303)
    async def unretire(
        self, ctx: NamedDependency[ServiceContext], actor: NamedDependency[Actor], key: PathSegment
    ) -> Redirect:
        found = await admin_employers.retire_employer(ctx, actor, key, retired=False)
        return _done("aktiverad", found)
