"""Organizers stay apart: a file naming a new key makes a new organizer (never renames the
unnamed default one), and giving the default a key is an explicit, audited act."""

from __future__ import annotations

from pathlib import Path

import pytest

from courses.domain.errors import (
    Forbidden,
    InvalidInput,
    ItemNotFound,
    NotEligible,
    StaffConflict,
)
from courses.domain.permissions import Actor
from courses.schedule import parse_schedule
from courses.schedule.load import ScheduleError
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.services.schedule.organizers import rename_organizer
from courses.storage.organizers import all_organizers
from tests.conftest import form
from tests.services.admin_support import OTHER_COURSE, OTHER_ORGANIZER_FILE, actions
from tests.test_cli import point_cli_at, run

UNNAMED = OTHER_ORGANIZER_FILE.replace('[organizer]\nkey = "b"\nname = "Arrangör B"\n', "")
JAMTLAND = """
[organizer]
key = "jamtland"
name = "Region Jämtland Härjedalen"

[[employer]]
key = "ostersund"
name = "Östersunds kommun"
kind = "municipality"
domains = ["ostersund.se"]

[[course]]
slug = "jamtland-kurs-2022"
title = "Jämtlands kurs"
deadline = 2022-05-01
seats = 2
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 2022-05-10
"""
SUPERADMIN = Actor.command_line()


async def two_counties(ctx: ServiceContext) -> None:
    """A first county's data under the unnamed default organizer, then Jämtland's file."""
    await import_schedule(ctx, parse_schedule(UNNAMED, source="forsta.toml"))
    await import_schedule(ctx, parse_schedule(JAMTLAND, source="jamtland.toml"))


async def organizer_keys(ctx: ServiceContext) -> list[str]:
    async with ctx.db.read() as conn:
        return sorted(o.key for o in await all_organizers(conn))


async def test_a_file_with_a_new_key_creates_an_organizer_instead_of_taking_the_default(
    ctx: ServiceContext,
) -> None:
    await two_counties(ctx)

    assert await organizer_keys(ctx) == ["default", "jamtland"]
    # The first county's employee may not register for Jämtland's course, nor the reverse.
    with pytest.raises(NotEligible):
        await register(
            ctx, "jamtland-kurs-2022", form(email="kim@b-kommun.se", employer="b-kommun")
        )
    with pytest.raises(NotEligible):
        await register(ctx, OTHER_COURSE, form(email="eva@ostersund.se", employer="ostersund"))
    own = await register(ctx, OTHER_COURSE, form(email="kim@b-kommun.se", employer="b-kommun"))
    assert own.status.value == "confirmed"


async def test_with_two_organizers_a_file_must_say_whose_it_is(ctx: ServiceContext) -> None:
    await two_counties(ctx)

    with pytest.raises(ScheduleError) as refused:
        await import_schedule(ctx, parse_schedule(UNNAMED, source="forsta.toml"))

    assert "ange vilken filen gäller med [organizer]" in str(refused.value.problems)


async def test_the_superadmin_gives_the_default_organizer_its_key_with_an_audit_entry(
    ctx: ServiceContext,
) -> None:
    await import_schedule(ctx, parse_schedule(UNNAMED, source="forsta.toml"))

    renamed = await rename_organizer(ctx, "default", "kronoberg", actor=SUPERADMIN)
    named = UNNAMED.replace(
        "[[employer]]", '[organizer]\nkey = "kronoberg"\nname = "K"\n\n[[employer]]', 1
    )
    report = await import_schedule(ctx, parse_schedule(named, source="k.toml"))

    assert renamed.key == "kronoberg"
    assert await organizer_keys(ctx) == ["kronoberg"]  # the file found it: nothing new made
    assert [i.kind for i in report.items if i.kind == "course" and i.action == "created"] == []
    renamed_entries = [e for e in await actions(ctx) if e.action == "organizer.renamed"]
    assert len(renamed_entries) == 1
    assert "från default till kronoberg" in renamed_entries[0].summary


@pytest.mark.parametrize(
    ("old", "new", "actor", "error", "says"),
    [
        ("default", "jamtland", SUPERADMIN, StaffConflict, "har redan en annan arrangör"),
        ("default", "Kronoberg!", SUPERADMIN, InvalidInput, "duger inte som nyckel"),
        ("default", "kursledare", SUPERADMIN, InvalidInput, "används redan av tjänsten"),
        ("finns-inte", "ny", SUPERADMIN, ItemNotFound, "ingen arrangör med nyckeln"),
        ("default", "ny", Actor(label="admin", admin_of=frozenset({1})), Forbidden, "huvud"),
    ],
)
async def test_a_rename_is_refused_with_a_reason(
    ctx: ServiceContext, old: str, new: str, actor: Actor, error: type[Exception], says: str
) -> None:
    await two_counties(ctx)

    with pytest.raises(error) as refused:
        await rename_organizer(ctx, old, new, actor=actor)

    assert says in str(refused.value)
    assert await organizer_keys(ctx) == ["default", "jamtland"]


def test_the_command_line_lists_and_renames_organizers(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}" if db_url.startswith("sqlite") else db_url
    point_cli_at(url, tmp_path, monkeypatch)
    (tmp_path / "forsta.toml").write_text(UNNAMED, encoding="utf-8")
    assert run(capsys, "seed", tmp_path / "forsta.toml")[0] == 0

    renamed = run(capsys, "organizer", "rename", "default", "kronoberg")
    listed = run(capsys, "organizer", "list")
    again = run(capsys, "organizer", "rename", "default", "x")

    assert renamed[0] == 0
    assert "har nu nyckeln kronoberg (förut default)" in renamed[1]
    assert listed[0] == 0
    assert listed[1].startswith("kronoberg: ")
    assert again[0] == 1
    assert "ingen arrangör med nyckeln 'default'" in again[2]
