"""A world for the staff side: two leaders with a course each in the seeds' organizer, and a
second organizer with its own employer, course and admin."""

from __future__ import annotations

from dataclasses import dataclass

from courses.domain.permissions import Role
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.services.staff import api_tokens
from tests.conftest import form

LEADER_A = "lena.ledare@kronoberg.se"
LEADER_B = "bo.ledare@kronoberg.se"
COURSE_A = "ledarkurs-a-2022"
COURSE_B = "ledarkurs-b-2022"
OTHER_COURSE = "annan-arrangor-2022"

_COURSES_OF_A = f"""
[[course]]
slug = "{COURSE_A}"
title = "Återfallsprevention för ledare A"
leaders = [{{ name = "Lena Ledare", email = "{LEADER_A.upper()}" }}]
deadline = 2022-04-01
seats = 10

[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"

[[course.session]]
date = 2022-04-20
start = 09:00:00
end = 16:00:00

[[course.session]]
date = 2022-04-27
start = 09:00:00
end = 12:30:00

[[course]]
slug = "{COURSE_B}"
title = "HAP för ledare B"
leaders = [{{ name = "Bo Ledare", email = "{LEADER_B}" }}]
deadline = 2022-04-01

[[course.format]]
key = "digital"
kind = "digital"

[[course.session]]
date = 2022-04-21
"""

_ORGANIZER_B = f"""
[organizer]
key = "annan"
name = "Beroendecentrum i ett annat län"
mail_from = "Beroendecentrum <kurs@annat.example>"

[[employer]]
key = "annan-kommun"
name = "Annan kommun"
kind = "municipality"
domains = ["annan.example"]

[[course]]
slug = "{OTHER_COURSE}"
title = "Kurs hos en annan arrangör"
leaders = [{{ name = "Lena Ledare", email = "lena@annan.example" }}]
deadline = 2022-04-01

[[course.format]]
key = "digital"
kind = "digital"

[[course.session]]
date = 2022-04-22
"""


@dataclass(frozen=True, slots=True)
class StaffWorld:
    admin_a: str
    admin_b: str
    leader_a: str
    leader_b: str


async def staff_world(ctx: ServiceContext) -> StaffWorld:
    """Courses and tokens on top of the seeded database; three registrants on course A."""
    await import_schedule(ctx, parse_schedule(_COURSES_OF_A))
    await import_schedule(ctx, parse_schedule(_ORGANIZER_B))
    for n in range(1, 4):
        await register(ctx, COURSE_A, form(n))
    admin_a = await api_tokens.create_token(
        ctx, Role.ADMIN, label="a", organizer_key="kronoberg-beroende"
    )
    admin_b = await api_tokens.create_token(ctx, Role.ADMIN, label="b", organizer_key="annan")
    leader_a = await api_tokens.create_token(ctx, Role.LEADER, label="la", email=LEADER_A)
    leader_b = await api_tokens.create_token(ctx, Role.LEADER, label="lb", email=LEADER_B)
    return StaffWorld(admin_a.token, admin_b.token, leader_a.token, leader_b.token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
