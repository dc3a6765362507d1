"""`/admin/arbetsgivare`, `/admin/personal` and `/admin/schema.toml` through the test client:
who may open them, errors next to their fields with what was typed kept, a GET that changes
nothing, and each action reaching its service."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.schedule import parse_schedule
from courses.services.catalogue.listing import list_employers
from courses.services.context import ServiceContext
from courses.services.staff.api_tokens import actor_for_token
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, LEADER_A, add_staff, sign_in

Client = AsyncTestClient[Any]


@pytest.fixture
async def staff(seeded: ServiceContext) -> ServiceContext:
    await add_staff(seeded)
    return seeded


@pytest.fixture
async def client(staff: ServiceContext, clock: FixedClock) -> Any:
    app = create_app(staff.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


@pytest.fixture
async def admin(client: Client, staff: ServiceContext) -> Client:
    await sign_in(client, staff, ADMIN)
    return client


async def send(client: Client, form_page: str, action: str, **fields: str) -> Any:
    token = await csrf_token(client, form_page)
    return await client.post(action, data={"_csrf_token": token, **fields}, follow_redirects=False)


def error_next_to(page: str, field: str) -> str:
    found = re.search(
        rf'id="{field}-error"><span class="visually-hidden">Fel: </span>([^<]*)', page
    )
    assert found, f"no error next to {field}"
    return html.unescape(found[1])


@pytest.mark.parametrize("path", ["/admin/arbetsgivare", "/admin/personal", "/admin/schema.toml"])
async def test_a_leader_may_not_open_the_admin_pages(
    client: Client, staff: ServiceContext, path: str
) -> None:
    await sign_in(client, staff, LEADER_A)

    assert (await client.get(path)).status_code == 403


async def test_the_schedule_file_downloads_and_parses(admin: Client) -> None:
    found = await admin.get("/admin/schema.toml")

    assert found.status_code == 200
    assert found.headers["content-type"].startswith("application/toml")
    assert "attachment" in found.headers["content-disposition"]
    assert parse_schedule(found.content).course
    assert 'href="/admin/schema.toml"' in (await admin.get("/admin")).text


async def test_a_bad_domain_is_shown_next_to_its_field_with_what_was_typed(
    admin: Client,
) -> None:
    page = await send(
        admin,
        "/admin/arbetsgivare",
        "/admin/arbetsgivare",
        key="nybro",
        name="Nybro kommun",
        kind="municipality",
        domains="inte en domän",
    )

    assert page.status_code == 400
    assert "<title>Fel: Arbetsgivare" in page.text
    assert error_next_to(page.text, "domains")
    assert 'value="inte en domän"' in page.text
    assert 'value="nybro"' in page.text
    assert '<a href="#domains">' in page.text


async def test_an_employer_is_added_changed_and_retired_after_asking(
    admin: Client, staff: ServiceContext
) -> None:
    added = await send(
        admin,
        "/admin/arbetsgivare",
        "/admin/arbetsgivare",
        key="nybro",
        name="Nybro kommun",
        kind="municipality",
        domains="nybro.se, skola.nybro.se",
    )
    assert added.status_code == 303
    listed = await admin.get(added.headers["location"])
    assert "Nybro kommun är tillagd." in listed.text

    changed = await send(
        admin,
        "/admin/arbetsgivare/nybro",
        "/admin/arbetsgivare/nybro",
        name="Nybro kommun (IFO)",
        kind="municipality",
        domains="nybro.se",
    )
    assert changed.status_code == 303

    asked = await admin.get("/admin/arbetsgivare/nybro/inaktivera")
    assert "Vill du inaktivera Nybro kommun (IFO)?" in asked.text
    assert "nybro" in [e.key for e in await list_employers(staff)]  # a GET only asks
    retired = await send(
        admin, "/admin/arbetsgivare/nybro/inaktivera", "/admin/arbetsgivare/nybro/inaktivera"
    )
    assert retired.status_code == 303
    assert "nybro" not in [e.key for e in await list_employers(staff)]
    back = await send(admin, "/admin/arbetsgivare", "/admin/arbetsgivare/nybro/aktivera")
    assert back.status_code == 303
    assert "nybro" in [e.key for e in await list_employers(staff)]


async def test_an_unknown_employer_is_a_404(admin: Client) -> None:
    assert (await admin.get("/admin/arbetsgivare/finns-inte")).status_code == 404


async def test_an_admin_is_added_and_the_last_one_cannot_remove_themselves(
    admin: Client,
) -> None:
    bad = await send(
        admin, "/admin/personal", "/admin/personal/administratorer", email="x", name=""
    )
    assert bad.status_code == 400
    assert error_next_to(bad.text, "email")
    assert 'value="x"' in bad.text

    page = (await admin.get("/admin/personal")).text
    mine = re.search(r'action="(/admin/personal/administratorer/\d+/ta-bort)"', page)
    assert mine
    refused = await send(admin, "/admin/personal", mine[1])
    assert refused.status_code == 409
    assert "Du är den enda administratören" in refused.text

    added = await send(
        admin,
        "/admin/personal",
        "/admin/personal/administratorer",
        email="bo@kronoberg.se",
        name="Bo Ek",
    )
    assert added.status_code == 303
    assert "Bo Ek" in (await admin.get("/admin/personal")).text


async def test_a_token_is_shown_once_and_can_be_revoked(
    admin: Client, staff: ServiceContext
) -> None:
    created = await send(admin, "/admin/personal", "/admin/personal/tokens", label="export")

    token = re.search(r'value="(crs_[^"]+)"', created.text)
    assert token
    assert await actor_for_token(staff, token[1]) is not None
    later = await admin.get("/admin/personal")
    assert token[1] not in later.text
    revoke = re.search(r'action="(/admin/personal/tokens/\d+/aterkalla)"', later.text)
    assert revoke
    revoked = await send(admin, "/admin/personal", revoke[1])
    assert revoked.status_code == 303
    assert await actor_for_token(staff, token[1]) is None
