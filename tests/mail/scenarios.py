"""Courses, registrations and helpers the mail content tests share."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import update

from courses.mail.worker import MailWorker
from courses.schedule import CourseSpec, Schedule
from courses.services.context import ServiceContext
from courses.services.schedule.importing import import_schedule
from courses.storage.tables import registration_table
from tests.mail import parse

ASI = "asi-grund-2022"  # four all-day sessions, max 4 seats, one on-site format
ATERFALL = "aterfallsprevention-2022"  # two sessions 09-16, Ljungby or digital
LVM = "lvm-forelasning-2022"  # one all-day session on 29 March 2022, digital

ASI_DAYS = [
    "onsdag 14 september 2022 (heldag)",
    "torsdag 15 september 2022 (heldag)",
    "torsdag 10 november 2022 (heldag)",
    "torsdag 4 maj 2023 (heldag)",
]

MEETING_URL = "https://meet.example.se/ms-2022-hemlig"
MIXED = "motiverande-samtal-2022"
MIXED_SCHEDULE = f"""
[[course]]
slug = "{MIXED}"
title = "Motiverande samtal"
leaders = [{{ name = "Karin Berg", email = "karin.berg@kronoberg.se" }}]
deadline = 2022-04-01

[[course.format]]
key = "digital"
kind = "digital"
meeting_url = "{MEETING_URL}"

[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"

[[course.session]]
date = 2022-04-12
start = 09:00:00
end = 12:00:00

[[course.session]]
date = 2022-04-19
start = 13:00:00
end = 16:00:00
"""


async def deliver(worker: MailWorker) -> None:
    """Send everything that is due; every mail must be accepted."""
    result = await worker.drain()
    assert (result.retried, result.failed) == ([], [])


def course_spec(schedule: Schedule, slug: str) -> CourseSpec:
    return next(course for course in schedule.course if course.slug == slug)


async def reimport(ctx: ServiceContext, spec: CourseSpec) -> None:
    """Import a schedule file that holds only this (changed) course."""
    await import_schedule(ctx, Schedule(course=[spec]))


async def rename(ctx: ServiceContext, registration_id: int, name: str) -> None:
    """Store `name` as it is, before the worker reads it."""
    async with ctx.db.write() as conn:
        await conn.execute(
            update(registration_table)
            .where(registration_table.c.id == registration_id)
            .values(name=name)
        )


def method_param(message: EmailMessage) -> str | None:
    part = parse.calendar_part(message)
    return None if part is None else part.get_param("method")
