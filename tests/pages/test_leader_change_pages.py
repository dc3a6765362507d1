"""A course's leader changed in the course editor: the new leader finds the course on
`/kursledare` at once, and the old one no longer gets a sign-in link."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.schedule.course_edits import CourseEdit, change_course
from tests.pages.staff import (
    COURSE_A,
    COURSE_B,
    LEADER_A,
    LEADER_B,
    add_staff,
    ask_for_link,
    mailed_links,
    sign_in,
)


async def test_a_leader_set_in_the_editor_sees_the_course_and_the_old_one_is_no_staff(
    seeded: ServiceContext, clock: FixedClock
) -> None:
    await add_staff(seeded)
    app = create_app(seeded.settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as client:
        await sign_in(client, seeded, LEADER_B)
        before = await client.get("/kursledare")

        await change_course(
            seeded,
            Actor.command_line(),
            COURSE_A,
            CourseEdit(leaders=[{"name": "Bo Ledare", "email": LEADER_B}]),
        )
        after = await client.get("/kursledare")
        asked = await ask_for_link(client, LEADER_A)

    assert f"/kursledare/{COURSE_A}" not in before.text
    assert f'href="/kursledare/{COURSE_A}"' in after.text
    assert f'href="/kursledare/{COURSE_B}"' in after.text
    assert asked.status_code == 200
    assert await mailed_links(seeded) == []
