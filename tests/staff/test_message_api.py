"""`POST /api/courses/{slug}/messages`: leaders write to their own course's people, admins to
their organizer's; another course is a 404 like a missing one; bad drafts are field errors in
Swedish; sends (not previews) are limited per sender."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from courses.api import create_app
from courses.clock import FixedClock
from courses.services.context import ServiceContext
from courses.settings import Rate
from tests.services.outbox_rows import mails_since, outbox_mark
from tests.staff.support import COURSE_A, OTHER_COURSE, StaffWorld, bearer

Client = AsyncTestClient[Any]

MESSAGE = {"to": "all", "subject": "Ny sal", "text": "Vi ses i sal 3."}


def _path(slug: str = COURSE_A) -> str:
    return f"/api/courses/{slug}/messages"


async def test_a_leader_sends_to_their_course_and_hears_how_many(
    api: Client, world: StaffWorld, seeded: ServiceContext
) -> None:
    mark = await outbox_mark(seeded)

    preview = await api.post(
        _path(), json={**MESSAGE, "dry_run": True}, headers=bearer(world.leader_a)
    )
    assert await mails_since(seeded, mark) == []
    sent = await api.post(_path(), json=MESSAGE, headers=bearer(world.leader_a))

    assert (preview.status_code, preview.json()) == (200, {"recipients": 3})
    assert (sent.status_code, sent.json()) == (200, {"recipients": 3})
    assert [m.kind for m in await mails_since(seeded, mark)] == ["message"] * 3


async def test_one_sessions_people_and_the_waitlist(api: Client, world: StaffWorld) -> None:
    session = {**MESSAGE, "to": "session", "session": 2, "dry_run": True}
    waiting = {**MESSAGE, "to": "waitlisted", "dry_run": True}

    by_session = await api.post(_path(), json=session, headers=bearer(world.admin_a))
    by_queue = await api.post(_path(), json=waiting, headers=bearer(world.admin_a))

    assert by_session.json() == {"recipients": 3}
    assert by_queue.json() == {"recipients": 0}


@pytest.mark.parametrize(
    ("token", "slug"),
    [("leader_b", COURSE_A), ("admin_b", COURSE_A), ("leader_a", OTHER_COURSE)],
)
async def test_a_course_not_theirs_is_the_same_404_as_a_missing_one(
    api: Client, world: StaffWorld, seeded: ServiceContext, token: str, slug: str
) -> None:
    mark = await outbox_mark(seeded)
    headers = bearer(getattr(world, token))

    theirs = await api.post(_path(slug), json=MESSAGE, headers=headers)
    missing = await api.post(_path("finns-inte-2022"), json=MESSAGE, headers=headers)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["type"] == missing.json()["type"]
    assert theirs.json()["type"].endswith("/problems/course-not-found")
    assert await mails_since(seeded, mark) == []


async def test_without_a_token_it_is_401(api: Client) -> None:
    answer = await api.post(_path(), json=MESSAGE)

    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"subject": ""}, "subject", "Skriv en ämnesrad."),
        ({"subject": "Ny\r\nBcc: a@b.se"}, "subject", "utan radbrytningar"),
        ({"subject": "x" * 151}, "subject", "högst 150 tecken"),
        ({"text": "y" * 5001}, "text", "högst 5000 tecken"),
        ({"to": "session"}, "session", "Välj vilken kursdag"),
        ({"to": "session", "session": 9}, "session", "ingen kursdag 9"),
        ({"session": 1}, "session", "bara när"),
    ],
)
async def test_a_bad_draft_is_a_validation_error_in_swedish(
    api: Client,
    world: StaffWorld,
    seeded: ServiceContext,
    body: dict[str, Any],
    field: str,
    words: str,
) -> None:
    mark = await outbox_mark(seeded)

    answer = await api.post(_path(), json={**MESSAGE, **body}, headers=bearer(world.leader_a))

    assert answer.status_code == 400
    problem = answer.json()
    assert problem["type"].endswith("/problems/validation-error")
    assert [(e["field"], words in e["message"]) for e in problem["errors"]] == [(field, True)]
    assert await mails_since(seeded, mark) == []


@pytest.mark.parametrize(
    "body",
    [
        {"to": "alla", "subject": "Ämne", "text": "Text"},
        {"subject": "Ämne", "text": "Text"},
        {**MESSAGE, "cc": "x@example.se"},
        {**MESSAGE, "dry_run": "yes"},
    ],
)
async def test_a_malformed_body_is_refused(api: Client, world: StaffWorld, body: Any) -> None:
    answer = await api.post(_path(), json=body, headers=bearer(world.leader_a))

    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/problems/validation-error")


async def test_sends_past_the_limit_are_429_but_previews_go_on(
    seeded: ServiceContext, world: StaffWorld, clock: FixedClock
) -> None:
    settings = replace(seeded.settings, message_rate=Rate(2, 3600))
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as api:
        leader = bearer(world.leader_a)
        sent = [(await api.post(_path(), json=MESSAGE, headers=leader)).status_code]
        sent += [(await api.post(_path(), json=MESSAGE, headers=leader)).status_code]
        refused = await api.post(_path(), json=MESSAGE, headers=leader)
        preview = await api.post(_path(), json={**MESSAGE, "dry_run": True}, headers=leader)
        admin = await api.post(_path(), json=MESSAGE, headers=bearer(world.admin_a))

    assert sent == [200, 200]
    assert refused.status_code == 429
    assert refused.json()["type"].endswith("/problems/too-many-requests")
    assert int(refused.headers["retry-after"]) > 0
    assert preview.status_code == 200
    assert admin.status_code == 200  # another sender has a limit of their own


async def test_a_refused_draft_does_not_count_toward_the_limit(
    seeded: ServiceContext, world: StaffWorld, clock: FixedClock
) -> None:
    settings = replace(seeded.settings, message_rate=Rate(1, 3600))
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app, base_url="http://kurser.test") as api:
        leader = bearer(world.leader_a)
        bad = await api.post(_path(), json={**MESSAGE, "subject": ""}, headers=leader)
        good = await api.post(_path(), json=MESSAGE, headers=leader)

    assert (bad.status_code, good.status_code) == (400, 200)
