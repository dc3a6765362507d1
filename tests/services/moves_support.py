"""A course with two capped formats, for moving people between formats."""

from __future__ import annotations

from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import RegistrationReceipt, register
from courses.services.schedule.importing import import_schedule
from tests.conftest import form

MOVE = "tva-format-2022"
MEETING = "https://mote.example.se/tva-format"
MOVE_COURSE = f"""
[[course]]
slug = "{MOVE}"
title = "Kurs i två format"
leaders = [{{ name = "Kim Ledare", email = "kursledare@vaxjo.se" }}]
deadline = 2022-03-20
seats = 30

[[course.format]]
key = "ljungby"
kind = "on_site"
place = "Ljungby"
seats = 25

[[course.format]]
key = "digital"
kind = "digital"
seats = 2
meeting_url = "{MEETING}"

[[course.session]]
date = 2022-04-05
start = 09:00:00
end = 16:00:00

[[course.session]]
date = 2022-04-06
start = 09:00:00
end = 16:00:00
"""


async def add_move_course(ctx: ServiceContext) -> None:
    await import_schedule(ctx, parse_schedule(MOVE_COURSE, source="tva-format.toml"))


async def in_ljungby(ctx: ServiceContext, *numbers: int) -> list[RegistrationReceipt]:
    return [await register(ctx, MOVE, form(n, format="ljungby")) for n in numbers]


async def in_digital(ctx: ServiceContext, *numbers: int) -> list[RegistrationReceipt]:
    return [await register(ctx, MOVE, form(n, format="digital")) for n in numbers]
