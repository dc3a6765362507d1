"""The staff world with the seeds' organizer signing in at a real OpenID provider
(tests/oidc_support.py), shared by the sign-in flow's tests: import the fixtures by name."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text

from courses.api import create_app
from courses.clock import FixedClock
from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.services.staff import admins, oidc_provider
from courses.storage.staff_tables import audit_table, staff_session_table
from tests.oidc_support import OidcProvider, run_provider
from tests.staff.support import LEADER_A, staff_world

__all__ = [
    "ADMIN",
    "ORGANIZER",
    "app_client",
    "configure",
    "provider",
    "refusals",
    "sessions",
    "with_provider",
]

ORGANIZER = "kronoberg-beroende"
ADMIN = "anna.admin@kronoberg.se"
CALLBACK = f"http://kurser.test/logga-in/oidc/{ORGANIZER}"
ACCOUNTS = {
    "admin": {"email": ADMIN, "email_verified": True},
    "leader": {"email": LEADER_A, "email_verified": True},
    "stranger": {"email": "okand.person@kronoberg.se", "email_verified": True},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    yield from run_provider(
        tmp_path_factory.mktemp("oidc"),
        redirect_uris=[CALLBACK],
        accounts=ACCOUNTS,
        post_logout_redirect_uris=["http://kurser.test/logga-in?utloggad=ja"],
    )


@pytest.fixture
async def with_provider(
    seeded: ServiceContext, provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> ServiceContext:
    await staff_world(seeded)
    await admins.add_account(seeded, ADMIN, Role.ADMIN, organizer_key=ORGANIZER)
    settings = provider.settings(name="Region Kronoberg", domains=["kronoberg.se"])
    await configure(seeded, settings)
    monkeypatch.setenv("COURSES_OIDC_SECRET_KRONOBERG_BEROENDE", provider.client_secret)
    oidc_provider._cache.clear()
    return seeded


@pytest.fixture
async def app_client(
    with_provider: ServiceContext, clock: FixedClock
) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(with_provider.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        yield client


async def sessions(ctx: ServiceContext) -> list[str]:
    async with ctx.db.read() as conn:
        return list((await conn.execute(select(staff_session_table.c.email))).scalars())


async def refusals(ctx: ServiceContext) -> list[str]:
    async with ctx.db.read() as conn:
        rows = await conn.execute(
            select(audit_table.c.summary).where(audit_table.c.action == "staff.oidc_refused")
        )
        return list(rows.scalars())


async def configure(ctx: ServiceContext, settings: dict[str, Any]) -> None:
    """The organizer's provider, as the schedule file will set it: a plain UPDATE for now."""
    async with ctx.db.write() as conn:
        await conn.execute(
            text("UPDATE organizer SET oidc = :oidc WHERE key = :key"),
            {"oidc": json.dumps(settings), "key": ORGANIZER},
        )
