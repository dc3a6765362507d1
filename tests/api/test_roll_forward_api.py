"""`POST /api/admin/schedule/roll-forward`: next year's drafts, previewed first."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from courses.domain.permissions import Role
from courses.services.context import ServiceContext
from courses.storage.courses import load_course, slugs_in_use
from tests.api.admin_support import bearer
from tests.api.support import field_errors, problem_type
from tests.services.admin_support import OTHER_COURSE, actions, add_other_organizer

Client = AsyncTestClient[Any]

PATH = "/api/admin/schedule/roll-forward"
ASI = "asi-grund-2022"
LVM = "lvm-forelasning-2022"


async def test_a_dry_run_answers_each_copy_with_its_dates_and_creates_nothing(
    api: Client, seeded: ServiceContext
) -> None:
    async with seeded.db.read() as conn:
        before = await slugs_in_use(conn)

    answer = await api.post(
        PATH,
        json={"courses": [ASI, LVM], "weeks": 52, "dry_run": True},
        headers=await bearer(seeded),
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["dry_run"] is True
    assert body["weeks"] == 52
    asi, lvm = body["courses"]
    assert asi == {
        "source": ASI,
        "slug": "asi-grund-2023",
        "title": "ASI grundutbildning",
        "status": "draft",
        "sessions": ["2023-09-13", "2023-09-14", "2023-11-09", "2024-05-02"],
        "deadline": "2023-08-31",
        "opens": None,
        "draw": None,
        "share_until": None,
        "holidays": [],
    }
    assert lvm["slug"] == "lvm-forelasning-2023"
    async with seeded.db.read() as conn:
        assert await slugs_in_use(conn) == before


async def test_holidays_are_named_with_their_dates(api: Client, seeded: ServiceContext) -> None:
    # 90 weeks after 14 and 15 September 2022: 5 and 6 June 2024, and 6 June is Nationaldagen.
    answer = await api.post(
        PATH,
        json={"courses": [ASI], "weeks": 90, "dry_run": True},
        headers=await bearer(seeded),
    )

    assert answer.status_code == 200, answer.text
    [copy] = answer.json()["courses"]
    assert copy["sessions"][0] == "2024-06-05"
    assert copy["holidays"] == [{"date": "2024-06-06", "name": "Nationaldagen"}]
    assert copy["slug"] == "asi-grund-2024"


async def test_without_dry_run_the_drafts_are_created(api: Client, seeded: ServiceContext) -> None:
    answer = await api.post(PATH, json={"courses": [ASI]}, headers=await bearer(seeded))

    assert answer.status_code == 201, answer.text
    assert answer.json()["dry_run"] is False
    async with seeded.db.read() as conn:
        created = await load_course(conn, "asi-grund-2023")
    assert created is not None
    assert created.status.value == "draft"
    assert (await actions(seeded))[0].action == "schedule.import"
    public = await api.get("/api/courses/asi-grund-2023")
    assert public.status_code == 404


async def test_bad_input_is_answered_in_swedish_with_its_field(
    api: Client, seeded: ServiceContext
) -> None:
    headers = await bearer(seeded)

    empty = await api.post(PATH, json={"courses": []}, headers=headers)
    too_far = await api.post(PATH, json={"courses": [ASI], "weeks": 105}, headers=headers)
    none = await api.post(PATH, json={"courses": [ASI], "weeks": 0}, headers=headers)
    unknown = await api.post(PATH, json={"courses": ["finns-inte"]}, headers=headers)
    bad_slug = await api.post(PATH, json={"courses": ["Inte En Slug"]}, headers=headers)
    extra = await api.post(PATH, json={"courses": [ASI], "years": 1}, headers=headers)

    for answer in (empty, too_far, none, unknown, bad_slug, extra):
        assert (answer.status_code, problem_type(answer)) == (400, "validation-error")
    assert field_errors(empty) == {"courses": "Välj minst en kurs att kopiera."}
    assert field_errors(too_far) == {"weeks": "Ange ett antal veckor mellan 1 och 104."}
    assert "weeks" in field_errors(none)
    assert field_errors(unknown) == {"courses": "Det finns ingen kurs som heter 'finns-inte'."}
    assert field_errors(bad_slug) == {"courses[0]": "Har fel form."}


async def test_another_organizers_course_is_answered_as_missing(
    api: Client, seeded: ServiceContext
) -> None:
    await add_other_organizer(seeded)

    theirs = await api.post(
        PATH, json={"courses": [OTHER_COURSE], "dry_run": True}, headers=await bearer(seeded)
    )
    missing = await api.post(
        PATH, json={"courses": ["b-kurs-2099"], "dry_run": True}, headers=await bearer(seeded)
    )

    assert theirs.status_code == missing.status_code == 400
    assert field_errors(theirs)["courses"] == f"Det finns ingen kurs som heter {OTHER_COURSE!r}."
    assert field_errors(missing)["courses"] == "Det finns ingen kurs som heter 'b-kurs-2099'."


async def test_only_admins_may_roll_forward(api: Client, seeded: ServiceContext) -> None:
    body = {"courses": [ASI], "dry_run": True}

    anonymous = await api.post(PATH, json=body)
    leader = await api.post(PATH, json=body, headers=await bearer(seeded, role=Role.LEADER))

    assert (anonymous.status_code, problem_type(anonymous)) == (401, "unauthorized")
    assert (leader.status_code, problem_type(leader)) == (403, "forbidden")
