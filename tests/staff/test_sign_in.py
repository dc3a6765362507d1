"""Sign-in by a mailed one-time link: known addresses get a link, nobody learns which are
known, a link signs in once within 15 minutes, and a session ends when its owner signs out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from courses.clock import FixedClock
from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.services.staff import api_tokens
from courses.services.staff import sign_in as access
from courses.services.tokens import token_for
from courses.storage.staff_tables import sign_in_request_table, sign_in_table
from courses.storage.tables import outbox_table
from tests.staff.support import LEADER_A, staff_world


async def mailed_token(ctx: ServiceContext) -> str:
    """The token of the newest link, as the mail worker derives it for the mail (after it
    decided the waiting requests, as it does before each claim)."""
    await access.admit_sign_in_requests(ctx)
    async with ctx.db.read() as conn:
        nonce = (
            await conn.execute(
                select(sign_in_table.c.token_nonce).order_by(sign_in_table.c.id.desc())
            )
        ).scalar_one()
    return token_for(ctx.settings.secret_key, nonce)


async def _sign_in_mails(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        rows = await conn.execute(select(outbox_table.c.id).where(outbox_table.c.kind == "sign_in"))
        return len(rows.all())


async def _sign_in_links(ctx: ServiceContext) -> list[str]:
    async with ctx.db.read() as conn:
        return list((await conn.execute(select(sign_in_table.c.email))).scalars())


async def _waiting_requests(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        return len((await conn.execute(select(sign_in_request_table.c.id))).all())


async def test_a_leader_gets_a_link_by_mail_and_an_unknown_address_does_not(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)

    await access.request_sign_in(seeded, " Lena.Ledare+kurs@Kronoberg.se ")
    await access.request_sign_in(seeded, "okand@kronoberg.se")

    assert await access.admit_sign_in_requests(seeded) == 1
    assert await _sign_in_mails(seeded) == 1
    assert await _sign_in_links(seeded) == ["Lena.Ledare+kurs@Kronoberg.se"]
    assert await _waiting_requests(seeded) == 0


async def test_a_request_waits_no_longer_than_a_link_would_live(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    """A request the worker reaches only after 15 minutes is dropped: its link would be dead."""
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)

    clock.set(clock.now() + access.LINK_VALID)

    assert await access.admit_sign_in_requests(seeded) == 0
    assert await _sign_in_mails(seeded) == 0
    assert await _waiting_requests(seeded) == 0


async def test_an_admin_account_may_sign_in_and_gets_its_organizer(seeded: ServiceContext) -> None:
    await api_tokens.add_account(seeded, "admin@kronoberg.se", Role.ADMIN)
    await access.request_sign_in(seeded, "admin@kronoberg.se")

    signed_in = await access.confirm_sign_in(seeded, await mailed_token(seeded))

    assert signed_in is not None
    assert signed_in.actor.is_admin
    assert not signed_in.actor.superadmin


async def test_a_link_signs_in_once(seeded: ServiceContext) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    token = await mailed_token(seeded)

    first = await access.confirm_sign_in(seeded, token)
    again = await access.confirm_sign_in(seeded, token)

    assert first is not None
    assert first.actor.leader_key == LEADER_A
    assert again is None


async def test_looking_at_a_link_does_not_spend_it(seeded: ServiceContext) -> None:
    """Mail scanners open links: only the button's POST signs in."""
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    token = await mailed_token(seeded)

    assert await access.link_is_usable(seeded, token)
    assert await access.link_is_usable(seeded, token)
    assert await access.confirm_sign_in(seeded, token) is not None
    assert not await access.link_is_usable(seeded, token)


async def test_a_link_expires_after_15_minutes(seeded: ServiceContext, clock: FixedClock) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    token = await mailed_token(seeded)
    start = clock.now()

    clock.set(start + timedelta(minutes=15))

    assert not await access.link_is_usable(seeded, token)
    assert await access.confirm_sign_in(seeded, token) is None


async def test_a_link_just_before_expiry_still_signs_in(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    token = await mailed_token(seeded)

    clock.set(clock.now() + timedelta(minutes=14, seconds=59))

    assert await access.confirm_sign_in(seeded, token) is not None


async def test_a_session_cookie_works_until_sign_out(seeded: ServiceContext) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    signed_in = await access.confirm_sign_in(seeded, await mailed_token(seeded))
    assert signed_in is not None

    assert await access.actor_for_session(seeded, signed_in.cookie) is not None
    await access.sign_out(seeded, signed_in.cookie)

    assert await access.actor_for_session(seeded, signed_in.cookie) is None


async def test_a_forged_or_altered_cookie_is_refused(seeded: ServiceContext) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    signed_in = await access.confirm_sign_in(seeded, await mailed_token(seeded))
    assert signed_in is not None
    token, _, signature = signed_in.cookie.partition(".")

    assert await access.actor_for_session(seeded, f"{token}x.{signature}") is None
    assert await access.actor_for_session(seeded, f"{token}.") is None
    assert await access.actor_for_session(seeded, token) is None


async def test_a_session_ends_after_a_working_day(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    await staff_world(seeded)
    await access.request_sign_in(seeded, LEADER_A)
    signed_in = await access.confirm_sign_in(seeded, await mailed_token(seeded))
    assert signed_in is not None

    clock.set(clock.now() + access.SESSION_VALID)

    assert await access.actor_for_session(seeded, signed_in.cookie) is None


async def test_asking_again_and_again_mails_at_most_five_live_links(
    seeded: ServiceContext,
) -> None:
    await staff_world(seeded)

    for _ in range(8):
        await access.request_sign_in(seeded, LEADER_A)

    assert await access.admit_sign_in_requests(seeded) == 5
    assert await _sign_in_mails(seeded) == 5


async def test_a_revoked_token_is_refused(seeded: ServiceContext) -> None:
    created = await api_tokens.create_token(seeded, Role.SUPERADMIN, label="ci")
    assert await api_tokens.actor_for_token(seeded, created.token) is not None

    await api_tokens.revoke_token(seeded, created.id)

    assert await api_tokens.actor_for_token(seeded, created.token) is None
    assert await api_tokens.actor_for_token(seeded, "crs_not-a-token") is None
