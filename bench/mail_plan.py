"""What the mail benchmark sends: its settings, the seeded database and the people who register.

The schedule is the registration rush's (`rush_plan.schedule_toml`: one session per course, so
a confirmation is one message with its invite), and the people register in the rush's mix:
of every ten, six for an uncapped course, two for a course capped at 50, one each for two
formats capped at 20 and 30. Past the caps they are waitlisted, so the outbox holds both
confirmations with an invite (text, HTML, text/calendar and an .ics attachment) and waitlist
notices (text and HTML only).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from rush_plan import CAPPED, EMPLOYER, OPEN, ROOMS, CoursePlan
from rush_servers import ROOT

from courses.clock import SystemClock
from courses.mail.message import message_id
from courses.schedule import load_schedule
from courses.services.context import ServiceContext
from courses.services.registration import RegistrationForm, register
from courses.services.schedule_import import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from courses.storage.migrate import upgrade

__all__ = [
    "MAIL_FROM",
    "bench_settings",
    "fill_outbox",
    "header_message_id",
    "seeded_context",
]

MAIL_FROM = Settings().mail_from
"""The service's default sender; Message-IDs end in its domain."""

_ROTATION: tuple[tuple[CoursePlan, str], ...] = (
    *((OPEN, "digital"),) * 6,
    *((CAPPED, "digital"),) * 2,
    (ROOMS, "ljungby"),
    (ROOMS, "digital"),
)


def bench_settings(database_url: str, *, smtp_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_url=smtp_url,
        mail_from=MAIL_FROM,
        base_url="http://127.0.0.1:8000",
        secret_key=secrets.token_hex(32),
    )


def header_message_id(token: str) -> str:
    """The Message-ID header the worker writes for an outbox row's `message_id` column."""
    return message_id(Settings(mail_from=MAIL_FROM), token)


@asynccontextmanager
async def seeded_context(settings: Settings, schedule: Path) -> AsyncIterator[ServiceContext]:
    """The database migrated and seeded (employers, bench schedule), as the services see it."""
    db = Database.from_url(settings.database_url)
    try:
        await upgrade(db.engine)
        ctx = ServiceContext(db=db, clock=SystemClock(), settings=settings)
        for path in (ROOT / "seeds" / "employers.toml", schedule):
            await import_schedule(ctx, load_schedule(path), source=str(path))
        yield ctx
    finally:
        await db.dispose()


def _form(i: int) -> tuple[str, RegistrationForm]:
    course, format_key = _ROTATION[i % len(_ROTATION)]
    form = RegistrationForm(
        name=f"Person {i}",
        email=f"mail{i}@vaxjo.se",
        employer=EMPLOYER,
        workplace="Beroendemottagningen",
        works_in_field=True,
        format=format_key,
    )
    return course.slug, form


async def fill_outbox(ctx: ServiceContext, n: int, *, concurrency: int = 16) -> None:
    """Register `n` people through the registration service: one outbox row each."""
    people = iter(range(n))

    async def registrar() -> None:
        for i in people:
            slug, form = _form(i)
            await register(ctx, slug, form)

    await asyncio.gather(*(registrar() for _ in range(concurrency)))
