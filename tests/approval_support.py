"""A course whose manager approves each registration, and reading the approval link back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationForm
from courses.services.schedule.importing import import_schedule
from courses.services.tokens import token_for
from courses.storage.tables import registration_table
from tests.conftest import registrant

APPROVAL = "chefskurs-2022"

# Two seats, a waitlist, the manager has 7 days; the default clock (1 March 2022 10.00) is
# inside the registration period.
APPROVAL_COURSE = f"""
[[course]]
slug = "{APPROVAL}"
title = "MI fördjupning"
deadline = 2022-04-20
seats = 2
approval = "manager"
approval_days = 7
leaders = [{{ name = "Anna Hamle", email = "anna.hamle@kronoberg.se" }}]
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-05-10
start = 09:00:00
end = 16:00:00
"""

MANAGER = "chef.chefsson@vaxjo.se"


async def add_approval_course(ctx: ServiceContext, toml: str = APPROVAL_COURSE) -> None:
    await import_schedule(ctx, parse_schedule(toml))


def approval_registrant(n: int | str = 1, **overrides: Any) -> dict[str, Any]:
    return registrant(n, **{"manager_email": MANAGER, **overrides})


def approval_form(n: int | str = 1, **overrides: Any) -> RegistrationForm:
    return RegistrationForm(**approval_registrant(n, **overrides))


async def approval_token(ctx: ServiceContext, registration_id: int) -> str:
    """The manager's link token, as the mail carries it (derived from the stored nonce)."""
    reg = registration_table.c
    async with ctx.db.read() as conn:
        nonce = (
            await conn.execute(select(reg.approval_nonce).where(reg.id == registration_id))
        ).scalar_one()
    assert nonce, "the manager was not asked"
    return token_for(ctx.settings.secret_key, nonce)
