"""Staff for the page tests: two courses with one leader each, an admin, and signing in the way
a person does (ask for a link, read it from the mail the service would send, press the button).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Role
from courses.schedule import parse_schedule
from courses.services.context import ServiceContext
from courses.services.outbox.delivery import SignInFacts, claim_batch, load_facts
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.services.staff.api_tokens import add_account
from tests.conftest import form
from tests.pages.conftest import csrf_token

__all__ = [
    "ADMIN",
    "COURSE_A",
    "COURSE_B",
    "LEADER_A",
    "LEADER_B",
    "STAFF_COURSES",
    "add_staff",
    "mailed_links",
    "sign_in",
    "staff_courses",
]

Client = AsyncTestClient[Any]

LEADER_A = "anna.ledare@kronoberg.se"
LEADER_B = "bo.ledare@kronoberg.se"
ADMIN = "admin@kronoberg.se"
COURSE_A = "ledarkurs-a"
COURSE_B = "ledarkurs-b"

# Two courses after `today` (the test clock's 1 March 2022 gives April 2022), each with its
# own leader; course A has two seats and two sessions.
STAFF_COURSES = """
[[course]]
slug = "{course_a}"
title = "Samtal om spel"
leaders = [{{ name = "Anna Ledare", email = "{leader_a}" }}]
deadline = {deadline}
seats = 2
[[course.format]]
key = "digital"
kind = "digital"
[[course.format]]
key = "vaxjo"
kind = "on_site"
place = "Växjö"
[[course.session]]
date = {first}
start = 09:00:00
end = 12:00:00
[[course.session]]
date = {second}

[[course]]
slug = "{course_b}"
title = "Återfall och stöd"
leaders = [{{ name = "Bo Ledare", email = "{leader_b}" }}]
deadline = {deadline}
[[course.format]]
key = "ljungby"
kind = "on_site"
place = "Ljungby"
[[course.session]]
date = {other}
"""


def staff_courses(today: date) -> str:
    return STAFF_COURSES.format(
        course_a=COURSE_A,
        course_b=COURSE_B,
        leader_a=LEADER_A,
        leader_b=LEADER_B,
        deadline=today + timedelta(days=31),
        first=today + timedelta(days=50),
        second=today + timedelta(days=57),
        other=today + timedelta(days=51),
    )


async def add_staff(ctx: ServiceContext) -> None:
    """The two courses with three registrants on A (two seats: one waits) and one on B, and an
    admin of the seeds' organizer."""
    today = ctx.clock.now().astimezone(ctx.tz).date()
    await import_schedule(ctx, parse_schedule(staff_courses(today)))
    for n in (1, 2, 3):
        await register(ctx, COURSE_A, form(n, format="digital" if n != 2 else "vaxjo"))
    await register(ctx, COURSE_B, form(9, format="ljungby"))
    await add_account(ctx, ADMIN, Role.ADMIN)


async def mailed_links(ctx: ServiceContext) -> list[str]:
    """The paths of the sign-in links in the mails queued since the last call, as the mail
    worker would write them."""
    claimed = await claim_batch(ctx, worker="test", lease=timedelta(minutes=5), limit=100)
    facts = await load_facts(ctx, claimed)
    base = ctx.settings.base_url
    return [f.link.removeprefix(base) for f in facts if isinstance(f, SignInFacts)]


async def ask_for_link(client: Client, email: str, *, till: str | None = None) -> Any:
    token = await csrf_token(client, "/logga-in")
    fields = {"email": email, "_csrf_token": token}
    if till is not None:
        fields["till"] = till
    return await client.post("/logga-in", data=fields, follow_redirects=False)


async def press_sign_in(client: Client, link: str) -> Any:
    token = await csrf_token(client, link)
    return await client.post(link, data={"_csrf_token": token}, follow_redirects=False)


async def sign_in(client: Client, ctx: ServiceContext, email: str) -> None:
    """Sign the client in as `email` through the pages and the mailed link."""
    answer = await ask_for_link(client, email)
    assert answer.status_code == 200, answer.text
    (link,) = await mailed_links(ctx)
    signed_in = await press_sign_in(client, link)
    assert signed_in.status_code == 303, signed_in.text
