"""Admins manage their organizer's employers."""

from __future__ import annotations

import pytest

from courses.domain.errors import Forbidden, InvalidInput, ItemNotFound, StaffConflict
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.employers import (
    EmployerChange,
    change_employer,
    create_employer,
    list_employers_for_admin,
    remove_employer,
)
from tests.conftest import form
from tests.services.admin_support import (
    LEADER,
    OTHER_EMPLOYER,
    actions,
    add_other_organizer,
    admin_of,
)


async def test_an_employer_is_created_in_the_admins_organizer_and_audited(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)

    created = await create_employer(
        seeded, admin, key="ny", name="Ny kommun", kind="municipality", domains=["Ny.se"]
    )

    assert (created.domains, created.organizer_id) == (["ny.se"], next(iter(admin.admin_of)))
    assert "ny" in [e.key for e in await list_employers_for_admin(seeded, admin)]
    assert (await actions(seeded))[0].action == "employer.create"


async def test_a_taken_key_or_a_bad_domain_is_refused(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    with pytest.raises(StaffConflict):
        await create_employer(
            seeded, admin, key="vaxjo", name="X", kind="municipality", domains=["x.se"]
        )
    with pytest.raises(InvalidInput) as bad:
        await create_employer(
            seeded, admin, key="x", name="X", kind="municipality", domains=["inte en domän"]
        )
    assert bad.value.errors[0].field == "domains[0]"


async def test_changing_the_domains_is_stored_and_audited(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    changed = await change_employer(
        seeded, admin, "vaxjo", EmployerChange(domains=["vaxjo.se", "it.vaxjo.se"])
    )

    assert changed.domains == ["vaxjo.se", "it.vaxjo.se"]
    (entry, *_) = await actions(seeded)
    assert entry.action == "employer.change"
    assert entry.details["changes"] == ["domäner: vaxjo.se → vaxjo.se, it.vaxjo.se"]


async def test_an_employer_with_registrations_is_not_removed(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await register(seeded, "asi-grund-2022", form(1))

    with pytest.raises(StaffConflict) as refused:
        await remove_employer(seeded, admin, "vaxjo")

    assert "1 aktiva anmälningar" in refused.value.detail
    assert "vaxjo" in [e.key for e in await list_employers_for_admin(seeded, admin)]


async def test_an_employer_without_registrations_is_removed(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    await remove_employer(seeded, admin, "ljungby")

    assert "ljungby" not in [e.key for e in await list_employers_for_admin(seeded, admin)]
    assert (await actions(seeded))[0].action == "employer.remove"


async def test_another_organizers_employers_are_invisible(seeded: ServiceContext) -> None:
    admin_b = await add_other_organizer(seeded)
    admin = await admin_of(seeded)

    assert [e.key for e in await list_employers_for_admin(seeded, admin_b)] == [OTHER_EMPLOYER]
    assert OTHER_EMPLOYER not in [e.key for e in await list_employers_for_admin(seeded, admin)]
    with pytest.raises(ItemNotFound):
        await remove_employer(seeded, admin, OTHER_EMPLOYER)
    with pytest.raises(ItemNotFound):
        await change_employer(seeded, admin_b, "vaxjo", EmployerChange(name="Min"))
    with pytest.raises(Forbidden):
        await list_employers_for_admin(seeded, LEADER)
