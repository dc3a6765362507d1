"""The organizer's provider (`[organizer.oidc]`, `sign_in`) through an import: stored, named in
the report, written back by the export so that importing it again changes nothing, kept by the
course editor's imports; and which providers sign an address in."""

from __future__ import annotations

import pytest

from courses.domain.oidc import DEFAULT_SCOPES, OidcSettings
from courses.schedule import ScheduleError, parse_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.editor import parse_entry, save_course
from courses.services.schedule.export import export_schedule, stored_schedule
from courses.services.schedule.files import import_uploaded_schedule
from courses.services.schedule.importing import Action, ImportReport, import_schedule
from courses.services.staff.oidc_settings import link_allowed, providers_for_email
from courses.storage.organizers import OrganizerRecord, organizer_by_key
from tests.services.admin_support import SEED_ORGANIZER, admin_of

HEAD = f"""[organizer]
key = "{SEED_ORGANIZER}"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"
"""
PROVIDER = """
[organizer.oidc]
issuer = "https://login.example.se/kronoberg"
client_id = "kurser"
domains = ["kronoberg.se", "ljungby.se"]
"""


async def stored(ctx: ServiceContext, key: str = SEED_ORGANIZER) -> OrganizerRecord:
    async with ctx.db.read() as conn:
        found = await organizer_by_key(conn, key)
    assert found is not None
    return found


def organizer_item(report: ImportReport) -> tuple[Action, list[str]]:
    (item,) = [i for i in report.items if i.kind == "organizer"]
    return item.action, item.changes


async def test_an_import_stores_the_provider_and_names_the_change(seeded: ServiceContext) -> None:
    before = await stored(seeded)
    assert (before.oidc, before.sign_in) == (None, "link_and_oidc")

    report = await import_schedule(seeded, parse_schedule(HEAD + PROVIDER))

    after = await stored(seeded)
    assert after.oidc == OidcSettings(
        issuer="https://login.example.se/kronoberg",
        client_id="kurser",
        name="login.example.se",
        scopes=DEFAULT_SCOPES,
        domains=("kronoberg.se", "ljungby.se"),
    )
    assert after.sign_in == "link_and_oidc"
    action, changes = organizer_item(report)
    assert action is Action.CHANGED
    (line,) = changes
    assert line.startswith("inloggning: mejlad länk → mejlad länk eller login.example.se (")
    assert "klient-id kurser" in line

    off = await import_schedule(seeded, parse_schedule(HEAD + 'sign_in = "oidc"\n' + PROVIDER))
    assert (await stored(seeded)).sign_in == "oidc"
    (line,) = organizer_item(off)[1]
    assert "→ bara login.example.se" in line
    assert line.endswith("ingen mejlad länk")

    same = await import_schedule(seeded, parse_schedule(HEAD + 'sign_in = "oidc"\n' + PROVIDER))
    assert organizer_item(same) == (Action.UNCHANGED, [])


async def test_a_file_without_the_block_removes_the_provider(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(HEAD + 'sign_in = "oidc"\n' + PROVIDER))

    report = await import_schedule(seeded, parse_schedule(HEAD))

    assert ((await stored(seeded)).oidc, (await stored(seeded)).sign_in) == (None, "link_and_oidc")
    (line,) = organizer_item(report)[1]
    assert line.endswith("→ mejlad länk")


async def test_the_exported_file_imports_back_with_nothing_changed(seeded: ServiceContext) -> None:
    extra = 'name = "Region Kronoberg"\nscopes = ["openid", "email", "groups"]\n'
    await import_schedule(seeded, parse_schedule(HEAD + 'sign_in = "oidc"\n' + PROVIDER + extra))
    admin = await admin_of(seeded)
    before = await stored(seeded)

    exported = await export_schedule(seeded, admin)
    again = await import_uploaded_schedule(seeded, admin, exported.text)

    assert "[organizer.oidc]" in exported.text
    assert 'sign_in = "oidc"' in exported.text
    assert [i for i in again.items if i.action is not Action.UNCHANGED] == []
    assert await stored(seeded) == before
    assert parse_schedule(exported.text) == await stored_schedule(seeded, admin)


async def test_the_defaults_are_left_out_of_the_exported_file(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(HEAD + PROVIDER))

    exported = await export_schedule(seeded, await admin_of(seeded))

    assert "scopes" not in exported.text
    assert "sign_in" not in exported.text
    organizer = parse_schedule(exported.text).organizer
    assert organizer is not None
    assert organizer.oidc is not None
    assert organizer.oidc.name is None


async def test_saving_a_course_in_the_editor_keeps_the_provider(seeded: ServiceContext) -> None:
    await import_schedule(seeded, parse_schedule(HEAD + 'sign_in = "oidc"\n' + PROVIDER))
    before = await stored(seeded)
    entry = parse_entry(
        {
            "slug": "ny-kurs-2022",
            "title": "Ny kurs",
            "deadline": "2022-09-01",
            "status": "draft",
            "format": [{"key": "digital", "kind": "digital"}],
            "session": [{"date": "2022-09-20"}],
        }
    )

    await save_course(seeded, await admin_of(seeded), entry, revision=None)

    assert await stored(seeded) == before


async def test_the_providers_for_an_address_and_whether_a_link_may_be_mailed(
    seeded: ServiceContext,
) -> None:
    assert await providers_for_email(seeded, "anna@kronoberg.se") == []
    assert await link_allowed(seeded, "anna@kronoberg.se")
    await import_schedule(seeded, parse_schedule(HEAD + PROVIDER))
    settings = (await stored(seeded)).oidc
    assert settings is not None

    for address in ("anna@kronoberg.se", "Anna@IT.Kronoberg.SE", "bo+kurs@ljungby.se"):
        assert await providers_for_email(seeded, address) == [(SEED_ORGANIZER, settings)]
        assert await link_allowed(seeded, address)
    for address in ("anna@notkronoberg.se", "anna@kronoberg.se.example", "anna@vaxjo.se"):
        assert await providers_for_email(seeded, address) == []

    await import_schedule(seeded, parse_schedule(HEAD + 'sign_in = "oidc"\n' + PROVIDER))
    assert not await link_allowed(seeded, "anna@it.kronoberg.se")
    assert await link_allowed(seeded, "anna@vaxjo.se")


async def test_only_the_operator_may_set_or_change_the_provider(seeded: ServiceContext) -> None:
    """A provider vouches for its domains' addresses at every organizer: an admin who could
    name one could sign in as another organizer's admins."""
    admin = await admin_of(seeded)
    with pytest.raises(ScheduleError) as caught:
        await import_uploaded_schedule(seeded, admin, HEAD + PROVIDER)
    (problem,) = caught.value.problems
    assert problem.place == "organizer.oidc"
    assert "huvudadministratör" in problem.message
    assert (await stored(seeded)).oidc is None

    await import_schedule(seeded, parse_schedule(HEAD + PROVIDER))
    with pytest.raises(ScheduleError):
        await import_uploaded_schedule(seeded, admin, HEAD + 'sign_in = "oidc"\n' + PROVIDER)
    with pytest.raises(ScheduleError):
        await import_uploaded_schedule(seeded, admin, HEAD)
    assert (await stored(seeded)).sign_in == "link_and_oidc"
    assert (await stored(seeded)).oidc is not None
