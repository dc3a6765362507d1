"""An admin retires an employer: no new registrations, history and statistics kept."""

from __future__ import annotations

import pytest

from courses.domain.errors import ItemNotFound, NotEligible
from courses.schedule import parse_schedule
from courses.services.catalogue.listing import list_employers
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.employers import retire_employer
from courses.services.schedule.importing import Action, import_schedule
from courses.services.statistics import statistics
from tests.conftest import ASI, form
from tests.services.admin_support import actions, add_other_organizer, admin_of


async def test_a_retired_employer_is_refused_at_registration_and_left_out_of_the_list(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)
    await register(seeded, ASI, form(1))

    retired = await retire_employer(seeded, admin, "vaxjo")

    assert retired.retired
    with pytest.raises(NotEligible) as refused:
        await register(seeded, ASI, form(2))
    assert refused.value.field == "employer"
    assert "tar inte längre emot anmälningar" in refused.value.detail
    assert "vaxjo" not in [e.key for e in await list_employers(seeded)]
    assert (await actions(seeded))[0].action == "employer.retire"


async def test_statistics_keep_a_retired_employer(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await register(seeded, ASI, form(1))

    await retire_employer(seeded, admin, "vaxjo")

    stats = await statistics(seeded, admin)
    assert "Växjö kommun" in [e.name for e in stats.employers]


async def test_an_employer_brought_back_takes_registrations_again(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await retire_employer(seeded, admin, "vaxjo")

    back = await retire_employer(seeded, admin, "vaxjo", retired=False)

    assert not back.retired
    await register(seeded, ASI, form(1))
    assert [a.action for a in (await actions(seeded))[:2]] == [
        "employer.unretire",
        "employer.retire",
    ]


async def test_retiring_twice_is_recorded_once(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    await retire_employer(seeded, admin, "vaxjo")
    await retire_employer(seeded, admin, "vaxjo")

    assert [a.action for a in await actions(seeded)].count("employer.retire") == 1


async def test_another_organizers_employer_is_as_unknown(seeded: ServiceContext) -> None:
    other = await add_other_organizer(seeded)

    with pytest.raises(ItemNotFound):
        await retire_employer(seeded, other, "vaxjo")


async def test_a_file_without_retired_leaves_a_retired_employer_retired(
    seeded: ServiceContext, seed_schedule: object
) -> None:
    admin = await admin_of(seeded)
    await retire_employer(seeded, admin, "vaxjo")
    employer_file = """
[[employer]]
key = "vaxjo"
name = "Växjö kommun"
kind = "municipality"
domains = ["vaxjo.se"]
"""

    report = await import_schedule(seeded, parse_schedule(employer_file))
    assert [i.action for i in report.items if i.kind == "employer"] == [Action.UNCHANGED]
    assert "vaxjo" not in [e.key for e in await list_employers(seeded)]

    back = await import_schedule(seeded, parse_schedule(employer_file + "retired = false\n"))
    assert [i.changes for i in back.items if i.kind == "employer"] == [["aktiverad igen"]]
    assert "vaxjo" in [e.key for e in await list_employers(seeded)]
