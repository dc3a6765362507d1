"""An admin manages their organizer's admins and API tokens (what /admin/personal does)."""

from __future__ import annotations

import pytest

from courses.domain.errors import Forbidden, InvalidInput, ItemNotFound, StaffConflict
from courses.domain.permissions import Actor, Role
from courses.services.context import ServiceContext
from courses.services.staff.admins import add_account, list_accounts, remove_account
from courses.services.staff.api_tokens import (
    actor_for_token,
    create_token,
    list_tokens,
    revoke_token,
)
from tests.services.admin_support import LEADER, actions, add_other_organizer, admin_of


async def signed_in(ctx: ServiceContext, email: str) -> Actor:
    """The admin as a browser session makes them: their address and organizer."""
    admin = await admin_of(ctx)
    return Actor(label=email, leader_key=email, admin_of=admin.admin_of)


async def test_an_admin_adds_a_colleague_with_a_name_and_it_is_audited(
    seeded: ServiceContext,
) -> None:
    admin = await signed_in(seeded, "anna@kronoberg.se")

    added, organizer = await add_account(
        seeded, " Bo@Kronoberg.se ", Role.ADMIN, name="Bo Ek", actor=admin
    )

    assert added
    assert organizer is not None
    assert organizer.key == "kronoberg-beroende"
    found = await list_accounts(seeded, admin)
    assert [(a.email, a.name) for a in found] == [("Bo@kronoberg.se", "Bo Ek")]
    entry = (await actions(seeded))[0]
    assert (entry.action, entry.actor) == ("staff.add", "anna@kronoberg.se")


async def test_a_bad_address_is_refused_at_its_field(seeded: ServiceContext) -> None:
    admin = await signed_in(seeded, "anna@kronoberg.se")

    with pytest.raises(InvalidInput) as bad:
        await add_account(seeded, "inte en adress", Role.ADMIN, actor=admin)

    assert bad.value.errors[0].field == "email"


async def test_the_last_admin_cannot_remove_themselves(seeded: ServiceContext) -> None:
    admin = await signed_in(seeded, "anna@kronoberg.se")
    await add_account(seeded, "anna@kronoberg.se", Role.ADMIN, actor=admin)
    (mine,) = await list_accounts(seeded, admin)

    with pytest.raises(StaffConflict):
        await remove_account(seeded, mine.id, actor=admin)

    await add_account(seeded, "bo@kronoberg.se", Role.ADMIN, actor=admin)
    removed = await remove_account(seeded, mine.id, actor=admin)
    assert removed.email == "anna@kronoberg.se"
    assert [a.email for a in await list_accounts(seeded, admin)] == ["bo@kronoberg.se"]
    assert (await actions(seeded))[0].action == "staff.remove"


async def test_another_organizers_admin_is_as_unknown(seeded: ServiceContext) -> None:
    admin = await signed_in(seeded, "anna@kronoberg.se")
    await add_account(seeded, "bo@kronoberg.se", Role.ADMIN, actor=admin)
    (bo,) = await list_accounts(seeded, admin)
    other = await add_other_organizer(seeded)

    assert await list_accounts(seeded, other) == []
    with pytest.raises(ItemNotFound):
        await remove_account(seeded, bo.id, actor=other)


async def test_a_leader_may_not_manage_admins_or_tokens(seeded: ServiceContext) -> None:
    with pytest.raises(Forbidden):
        await add_account(seeded, "x@kronoberg.se", Role.ADMIN, actor=LEADER)
    with pytest.raises(Forbidden):
        await create_token(seeded, Role.ADMIN, label="export", actor=LEADER)


async def test_an_admin_creates_a_token_that_works_until_revoked(seeded: ServiceContext) -> None:
    admin = await signed_in(seeded, "anna@kronoberg.se")

    created = await create_token(seeded, Role.ADMIN, label=" export ", actor=admin)

    assert await actor_for_token(seeded, created.token) is not None
    (listed,) = await list_tokens(seeded, admin)
    assert (listed.id, listed.label, listed.revoked_at) == (created.id, "export", None)
    await revoke_token(seeded, created.id, actor=admin)
    assert await actor_for_token(seeded, created.token) is None
    assert [a.action for a in (await actions(seeded))[:2]] == ["token.revoke", "token.create"]
    with pytest.raises(ItemNotFound):
        await revoke_token(seeded, created.id, actor=admin)


async def test_an_admin_cannot_see_or_revoke_another_organizers_token(
    seeded: ServiceContext,
) -> None:
    admin = await signed_in(seeded, "anna@kronoberg.se")
    created = await create_token(seeded, Role.ADMIN, label="export", actor=admin)
    other = await add_other_organizer(seeded)

    assert await list_tokens(seeded, other) == []
    with pytest.raises(ItemNotFound):
        await revoke_token(seeded, created.id, actor=other)
    with pytest.raises(Forbidden):
        await create_token(seeded, Role.SUPERADMIN, label="allt", actor=admin)
    with pytest.raises(InvalidInput):
        await create_token(seeded, Role.ADMIN, label="  ", actor=admin)
