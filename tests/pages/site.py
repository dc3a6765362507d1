"""The service as a browser meets it: a seeded database behind a real uvicorn server on
127.0.0.1, with the app's own mail worker sending to a real SMTP server.

Seeded like `make run`: the employers, the real 2022 schedule (in the past on the site's
clock) and its demo copy (open on it), plus, for the refusal scenarios, two small courses of the
tests' own: one that has not opened yet and one with a single seat and no waitlist.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from courses.api import create_app
from courses.cli.mail import run_mail
from courses.clock import FixedClock
from courses.mail.transport import SmtpTransport
from courses.schedule import Schedule, load_schedule, parse_schedule
from courses.schedule.demo import demo_schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.settings import Settings
from courses.storage.db import Database
from tests.concurrency.server import running_server
from tests.conftest import SEEDS, local, registrant
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer

__all__ = ["CLOSED_SOON", "FULL_NO_WAITLIST", "NOT_YET_OPEN", "Site", "running_site"]

START = local(2027, 1, 11, 9, 30)
"""A Monday morning: the 2022 schedule lies in the past, its demo copy is open."""

NOT_YET_OPEN = "fordjupning-mi"
FULL_NO_WAITLIST = "litet-seminarium"
CLOSED_SOON = "demo-lvm-forelasning-2022"
"""The demo course with the earliest deadline."""

_TEST_COURSES = """
[[course]]
slug = "{not_yet_open}"
title = "Fördjupning i motiverande samtal"
leaders = [{{ name = "Sophie Andersson", email = "sophie.andersson@kronoberg.se" }}]
opens = {opens}
deadline = {late_deadline}
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = {late_session}
start = 13:00:00
end = 16:00:00

[[course]]
slug = "{full}"
title = "Litet seminarium om återfall"
leaders = [{{ name = "Jonas Reinholdsson" }}]
deadline = {deadline}
seats = 1
waitlist = false
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = {session}
"""


def _test_courses(today: date) -> Schedule:
    return parse_schedule(
        _TEST_COURSES.format(
            not_yet_open=NOT_YET_OPEN,
            full=FULL_NO_WAITLIST,
            opens=today + timedelta(days=60),
            late_deadline=today + timedelta(days=90),
            late_session=today + timedelta(days=100),
            deadline=today + timedelta(days=30),
            session=today + timedelta(days=40),
        ).encode()
    )


@dataclass
class Site:
    url: str
    clock: FixedClock
    smtp: SmtpServer

    async def register(self, slug: str, n: int | str, **overrides: Any) -> dict[str, Any]:
        """A registration through the JSON API (someone else taking a seat)."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            response = await client.post(
                f"/api/courses/{slug}/registrations", json=registrant(n, **overrides)
            )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def mail_to(self, address: str) -> EmailMessage:
        """The first mail the SMTP server received for `address`, waiting up to 10 s for it."""
        deadline = time.monotonic() + 10
        while not (found := self.smtp.to(address)):
            if time.monotonic() > deadline:
                raise AssertionError(f"no mail to {address} within 10 s")
            await asyncio.sleep(0.05)
        return found[0]

    async def api(self, path: str) -> Any:
        """GET from the JSON API: what the service has stored, seen from outside."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            response = await client.get(path)
        assert response.status_code == 200, response.text
        return response.json()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


Seeding = Callable[[ServiceContext], Awaitable[None]]
"""More to seed after the schedules (the staff tests' courses and accounts)."""


async def _seed(
    settings: Settings, clock: FixedClock, *, test_courses: bool, more: Seeding | None
) -> None:
    db = Database.from_url(settings.database_url)
    try:
        ctx = ServiceContext(db=db, clock=clock, settings=settings)
        real = load_schedule(SEEDS / "schedule-2022.toml")
        today = clock.now().date()
        await import_schedule(ctx, load_schedule(SEEDS / "employers.toml"))
        await import_schedule(ctx, real)
        await import_schedule(ctx, demo_schedule(real, today=today))
        if test_courses:
            await import_schedule(ctx, _test_courses(today))
        if more is not None:
            await more(ctx)
    finally:
        await db.dispose()


@contextmanager
def running_site(
    db_url: str, smtp: SmtpServer, *, test_courses: bool = True, more: Seeding | None = None
) -> Iterator[Site]:
    """The seeded service on a free port of 127.0.0.1 until the block ends."""
    port = _free_port()
    settings = Settings(database_url=db_url, base_url=f"http://127.0.0.1:{port}", smtp_url=smtp.url)
    clock = FixedClock(START)
    asyncio.run(_seed(settings, clock, test_courses=test_courses, more=more))
    app = create_app(
        settings,
        clock=clock,
        migrate=False,
        background=[run_mail(SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT), poll=0.2)],
    )
    with running_server(app, port=port) as url:
        yield Site(url=url, clock=clock, smtp=smtp)
