"""A lottery course for the service tests, and reading its draw back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.lottery.draw import ACTION
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.importing import import_schedule
from courses.storage.staff_tables import audit_table
from courses.storage.tables import registration_table
from tests.conftest import form

SLUG = "kbt-lottning-2022"
EMPLOYERS = ["vaxjo", "alvesta", "ljungby", "lessebo", "markaryd"]
DOMAINS = {
    "vaxjo": "vaxjo.se",
    "alvesta": "alvesta.se",
    "ljungby": "ljungby.se",
    "lessebo": "lessebo.se",
    "markaryd": "markaryd.se",
}


def lottery_toml(
    *,
    seats: int = 3,
    draw: str | None = None,
    digital_seats: int = 2,
    extra: str = "",
    allocation: str = "lottery",
) -> str:
    """The lottery course; `extra` adds lines to its `[[course]]` table (approval, fair
    seats), `allocation` may turn it into first come (an import that changes it)."""
    draw_line = f"draw = {draw}" if draw else ""
    return f"""
[organizer]
key = "kronoberg-beroende"
name = "Integrerad missbruks- och beroendemottagning, Region Kronoberg"

[[course]]
slug = "{SLUG}"
title = "KBT i beroendevården"
deadline = 2022-04-01
opens = 2022-02-01
seats = {seats}
allocation = "{allocation}"
{draw_line}
{extra}
[[course.format]]
key = "digital"
kind = "digital"
seats = {digital_seats}
meeting_url = "https://meet.example.se/kbt"
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = 2022-04-20
start = 09:00:00
end = 16:00:00
[[course.session]]
date = 2022-04-21
"""


async def add_lottery(ctx: ServiceContext, **kwargs: object) -> None:
    await import_schedule(ctx, parse_schedule(lottery_toml(**kwargs)))  # type: ignore[arg-type]


async def apply(
    ctx: ServiceContext, n: int, employer: str, fmt: str, **overrides: object
) -> RegistrationReceipt:
    return await register(
        ctx,
        SLUG,
        form(
            n,
            email=f"sokande{n}@{DOMAINS[employer]}",
            employer=employer,
            format=fmt,
            **overrides,
        ),
    )


def manager_of(n: int, employer: str) -> str:
    """Applicant n's manager, at the same employer."""
    return f"chef{n}@{DOMAINS[employer]}"


async def draw_details(ctx: ServiceContext) -> dict[str, Any]:
    """The details of the course's draw in the audit log (seed, caps, order, seated)."""
    query = select(audit_table.c.details).where(audit_table.c.action == ACTION)
    async with ctx.db.read() as conn:
        details: dict[str, Any] = (await conn.execute(query)).scalar_one()
    return details


async def apply_many(ctx: ServiceContext, count: int) -> list[RegistrationReceipt]:
    """`count` applications, round the employers and both formats."""
    return [
        await apply(ctx, n, EMPLOYERS[n % len(EMPLOYERS)], ("digital", "vaxjo")[n % 2])
        for n in range(1, count + 1)
    ]


async def statuses(ctx: ServiceContext) -> dict[int, str]:
    reg = registration_table.c
    async with ctx.db.read() as conn:
        rows = await conn.execute(select(reg.id, reg.status))
        return {int(i): s for i, s in rows.all()}


async def draw_entries(ctx: ServiceContext) -> int:
    async with ctx.db.read() as conn:
        found = await conn.execute(select(func.count()).where(audit_table.c.action == ACTION))
        return int(found.scalar_one())
