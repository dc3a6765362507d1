"""`/admin` through the test client: who may open it, importing a schedule with its dry run
shown first, errors in the file, and the audit log."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from tests.pages.conftest import csrf_token
from tests.pages.staff import ADMIN, COURSE_A, LEADER_A, add_staff, sign_in

Client = AsyncTestClient[Any]

NEW_COURSE = """
[[course]]
slug = "ny-kurs"
title = "En ny kurs"
deadline = 2022-05-01
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""

CHANGED_A = f"""
[[course]]
slug = "{COURSE_A}"
title = "Samtal om spel, andra upplagan"
leaders = [{{ name = "Anna Ledare", email = "{LEADER_A}" }}]
deadline = 2022-04-01
seats = 3
[[course.format]]
key = "digital"
kind = "digital"
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-04-20
start = 09:00:00
end = 12:00:00
[[course.session]]
date = 2022-04-27
"""

BROKEN = """
[[course]]
slug = "trasig"
title = "Trasig"
deadline = 2022-05-01
[[course.session]]
date = 2022-05-10
start = 12:00:00
end = 09:00:00
"""


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


async def upload(client: Client, content: str, *, name: str = "schema.toml") -> Any:
    token = await csrf_token(client, "/admin")
    return await client.post(
        "/admin/schema",
        data={"_csrf_token": token, "text": ""},
        files={"fil": (name, content.encode(), "application/toml")},
    )


async def paste(client: Client, content: str, *, form_page: str = "/admin") -> Any:
    token = await csrf_token(client, form_page)
    return await client.post(
        "/admin/schema",
        data={"_csrf_token": token, "text": content},
        files={"fil": ("", b"", "application/octet-stream")},
    )


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden {name}"
    return html.unescape(found[1])


async def confirm(client: Client, preview: Any) -> Any:
    return await client.post(
        "/admin/schema/importera",
        data={
            "_csrf_token": hidden(preview.text, "_csrf_token"),
            "innehall": hidden(preview.text, "innehall"),
            "kalla": hidden(preview.text, "kalla"),
        },
    )


async def test_a_leader_is_told_they_may_not_open_the_admin_page(
    client: Client, staff: ServiceContext
) -> None:
    await sign_in(client, staff, LEADER_A)

    page = await client.get("/admin")

    assert page.status_code == 403
    assert "Du har inte behörighet" in page.text


async def test_the_admin_page_has_the_import_form_and_every_section(admin: Client) -> None:
    page = await admin.get("/admin")

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert '<input class="file-upload" id="fil" name="fil" type="file"' in page.text
    assert '<textarea class="textarea textarea--code" id="text" name="text"' in page.text
    for section in ["importera", "kurser", "arbetsgivare", "mejl", "statistik", "logg"]:
        assert f'<h2 id="{section}">' in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_an_uploaded_file_is_shown_as_a_dry_run_and_nothing_is_written(
    admin: Client,
) -> None:
    preview = await upload(admin, NEW_COURSE + CHANGED_A)

    assert preview.status_code == 200
    assert "Så här ändras schemat" in preview.text
    assert "Läggs till (1)" in preview.text
    assert "Ändras (1)" in preview.text
    assert "<code>ny-kurs</code>" in preview.text
    assert "Samtal om spel, andra upplagan" in preview.text  # the change line of the title
    assert "1 på reservlistan får en plats." in preview.text
    assert '<button class="button" type="submit">Importera</button>' in preview.text
    assert base64.b64decode(hidden(preview.text, "innehall")).decode() == NEW_COURSE + CHANGED_A
    assert (await admin.get("/kurser/ny-kurs")).status_code == 404
    assert (await admin.get(f"/api/courses/{COURSE_A}")).json()["title"] == "Samtal om spel"
    assert "Importerade schema.toml" not in (await admin.get("/admin")).text  # nor audited


async def test_confirming_imports_exactly_the_previewed_file(
    admin: Client, staff: ServiceContext
) -> None:
    preview = await paste(admin, NEW_COURSE)

    result = await confirm(admin, preview)

    assert result.status_code == 200
    assert "Schemat är importerat" in result.text
    assert "Nya (1)" in result.text
    assert (await admin.get("/kurser/ny-kurs")).status_code == 200
    log = (await admin.get("/admin")).text
    assert "Importerade inklistrad text: 1 nya, 0 ändrade" in log
    assert "admin@kronoberg.se" in log


async def test_a_file_that_changes_nothing_offers_no_import(admin: Client) -> None:
    await confirm(admin, await paste(admin, NEW_COURSE))

    again = await paste(admin, NEW_COURSE)

    assert "Filen ändrar ingenting" in again.text
    assert "Importera</button>" not in again.text


async def test_a_file_with_errors_shows_each_place_and_message_and_writes_nothing(
    admin: Client,
) -> None:
    refused = await upload(admin, NEW_COURSE + BROKEN, name="trasig.toml")

    assert refused.status_code == 400
    assert "<title>Fel: Administration" in refused.text
    assert 'class="error-summary"' in refused.text
    assert re.search(r'<a href="#fil">course\[2\] \(trasig\)[^<]*</a>', refused.text)
    assert "Schemat har fel och har inte importerats." in refused.text
    assert (await admin.get("/kurser/ny-kurs")).status_code == 404


async def test_pasted_text_with_errors_stays_in_its_box(admin: Client) -> None:
    refused = await paste(admin, "detta = [är inte toml")

    assert refused.status_code == 400
    assert 'href="#text">Ogiltig TOML' in refused.text
    assert "detta = [är inte toml</textarea>" in html.unescape(refused.text)


@pytest.mark.parametrize("depth", [400, 800, 50_000])
async def test_a_pasted_schedule_nested_too_deep_is_shown_at_its_box(
    admin: Client, depth: int
) -> None:
    refused = await paste(admin, "x = " + "[" * depth + "]" * depth)

    assert refused.status_code == 400
    assert re.search(r'<a href="#text">Filen har listor eller tabeller i fler än 16', refused.text)


async def test_an_empty_form_asks_for_a_file(admin: Client) -> None:
    refused = await paste(admin, "  ")

    assert refused.status_code == 400
    assert 'href="#fil">Välj en schemafil eller klistra in schemat i textrutan.' in refused.text


async def test_importing_without_the_csrf_token_is_refused(admin: Client) -> None:
    forged = await admin.post("/admin/schema", data={"text": NEW_COURSE})
    preview = await paste(admin, NEW_COURSE)
    forged_confirm = await admin.post(
        "/admin/schema/importera", data={"innehall": hidden(preview.text, "innehall")}
    )

    assert forged.status_code == forged_confirm.status_code == 403
    assert (await admin.get("/kurser/ny-kurs")).status_code == 404


async def test_a_leader_cannot_import_either(client: Client, staff: ServiceContext) -> None:
    await sign_in(client, staff, LEADER_A)

    refused = await paste(client, NEW_COURSE, form_page="/kursledare")

    assert refused.status_code == 403
    assert (await client.get("/kurser/ny-kurs")).status_code == 404


async def test_the_audit_log_shows_who_when_what_and_which_course(
    admin: Client, staff: ServiceContext, clock: FixedClock
) -> None:
    await sign_in(admin, staff, LEADER_A)
    page = (await admin.get(f"/kursledare/{COURSE_A}")).text
    one = re.search(r'name="narvarande" value="(\d+)"', page)
    assert one
    token = await csrf_token(admin, f"/kursledare/{COURSE_A}")
    await admin.post(
        f"/kursledare/{COURSE_A}/narvaro",
        data={"_csrf_token": token, "kursdag": "1", "deltagare": one[1], "narvarande": one[1]},
    )
    await sign_in(admin, staff, ADMIN)

    page = (await admin.get("/admin")).text
    log = page[page.index('<h2 id="logg">') :]

    row = re.search(r"<tr>\s*<td[^>]*>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>", log)
    assert row
    assert row.groups() == (
        "1 mars 2022 kl. 10.00",
        LEADER_A,
        "Markerade närvaro: 1 närvarande, 0 frånvarande.",
    )
    assert f'<a href="/kursledare/{COURSE_A}">{COURSE_A}</a>' in log
