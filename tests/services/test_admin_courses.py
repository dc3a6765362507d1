"""Admins change and cancel courses and sessions, and raise or lower caps."""

from __future__ import annotations

from datetime import date, time

import pytest

from courses.domain.errors import CourseNotFound, Forbidden, InvalidInput
from courses.domain.rules import CourseStatus, RegistrationStatus
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.course_edits import (
    CourseEdit,
    SessionEdit,
    cancel_course,
    cancel_session,
    change_course,
    change_session,
)
from courses.storage.courses import load_course
from tests.conftest import fill_asi, form
from tests.services.admin_support import (
    LEADER,
    OTHER_COURSE,
    actions,
    add_other_organizer,
    admin_of,
)
from tests.services.outbox_rows import ALL_PARTS, ASI, addressed_to, mails_since, outbox_mark


async def _course(ctx: ServiceContext, slug: str = ASI):  # type: ignore[no-untyped-def]
    async with ctx.db.read() as conn:
        return await load_course(conn, slug)


async def test_a_new_title_is_stored_bumps_the_revision_tells_registrants_and_is_audited(
    seeded: ServiceContext,
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    admin = await admin_of(seeded)
    revision = (await _course(seeded)).revision
    mark = await outbox_mark(seeded)

    update = await change_course(seeded, admin, ASI, CourseEdit(title="ASI grund"))

    assert update.changes == ["titel: ASI grundutbildning → ASI grund"]
    stored = await _course(seeded)
    assert (stored.title, stored.revision) == ("ASI grund", revision + 1)
    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_changed", p, "REQUEST") for p in ALL_PARTS
    ]
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.course_slug, entry.actor) == (
        "course.change",
        ASI,
        admin.label,
    )


async def test_an_unchanged_value_writes_nothing(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    before = await actions(seeded)

    update = await change_course(seeded, admin, ASI, CourseEdit(seats=4))

    assert update.changes == []
    assert await actions(seeded) == before


async def test_a_cap_under_the_seats_held_is_refused_and_nothing_changes(
    seeded: ServiceContext,
) -> None:
    await fill_asi(seeded, waiting=0)
    admin = await admin_of(seeded)
    before = await actions(seeded)

    with pytest.raises(InvalidInput) as refused:
        await change_course(seeded, admin, ASI, CourseEdit(seats=2))
    with pytest.raises(InvalidInput) as format_refused:
        await change_course(seeded, admin, ASI, CourseEdit(format_seats={"pa-plats": 3}))

    assert [(e.field, e.message) for e in refused.value.errors] == [
        (
            "seats",
            "4 personer har redan plats på kursen, så antalet platser kan inte bli 2. "
            "Välj minst 4, eller avanmäl någon först.",
        )
    ]
    assert [e.field for e in format_refused.value.errors] == ["formats.pa-plats"]
    assert "på formatet 'pa-plats'" in format_refused.value.errors[0].message
    assert (await _course(seeded)).seats == 4
    assert await actions(seeded) == before


async def test_lowering_the_cap_to_the_seats_held_waitlists_the_next(
    seeded: ServiceContext,
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    await cancel_registration(seeded, seated[0].token)
    admin = await admin_of(seeded)

    await change_course(seeded, admin, ASI, CourseEdit(seats=3))
    late = await register(seeded, ASI, form(9))

    assert late.status is RegistrationStatus.WAITLISTED
    course = await _course(seeded)
    assert (course.seats, course.confirmed_count, course.seats_left) == (3, 3, 0)


async def test_raising_the_cap_promotes_in_queue_order_and_mails_them(
    seeded: ServiceContext,
) -> None:
    _, waiting = await fill_asi(seeded, waiting=3)
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    update = await change_course(seeded, admin, ASI, CourseEdit(seats=6))

    assert update.promoted == [waiting[0].id, waiting[1].id]
    written = await mails_since(seeded, mark, kind="promoted")
    assert addressed_to(written, waiting[0].id) == [("promoted", p, "REQUEST") for p in ALL_PARTS]
    assert addressed_to(written, waiting[2].id) == []
    assert (await _course(seeded)).confirmed_count == 6


async def test_a_format_cap_is_set_and_counted(seeded: ServiceContext) -> None:
    await fill_asi(seeded, waiting=0)
    admin = await admin_of(seeded)

    update = await change_course(seeded, admin, ASI, CourseEdit(format_seats={"pa-plats": 5}))

    assert update.changes == ["format pa-plats platser: obegränsat → 5"]
    (fmt,) = (await _course(seeded)).formats
    assert (fmt.seats, fmt.confirmed_count, fmt.seats_left) == (5, 4, 1)


async def test_an_unknown_format_or_a_deadline_after_the_first_session_is_refused(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)

    with pytest.raises(InvalidInput) as unknown:
        await change_course(seeded, admin, ASI, CourseEdit(format_seats={"nej": 3}))
    with pytest.raises(InvalidInput) as late:
        await change_course(seeded, admin, ASI, CourseEdit(deadline=date(2022, 9, 20)))

    assert [e.field for e in unknown.value.errors] == ["formats.nej"]
    assert [e.field for e in late.value.errors] == ["deadline"]
    assert (await _course(seeded)).deadline == date(2022, 9, 1)


async def test_cancelling_the_course_cancels_every_invite(seeded: ServiceContext) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    await cancel_course(seeded, admin, ASI)

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_cancelled", p, "CANCEL") for p in ALL_PARTS
    ]
    assert addressed_to(written, waiting.id) == [("course_cancelled", None, None)]
    assert (await _course(seeded)).status is CourseStatus.CANCELLED
    assert (await actions(seeded))[0].action == "course.cancel"


async def test_a_moved_session_updates_the_invites(seeded: ServiceContext) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    update = await change_session(
        seeded, admin, ASI, 2, SessionEdit(day=date(2022, 9, 16), start=time(9), end=time(16))
    )

    assert update.changes[0] == "kursdag 2 datum: 2022-09-15 → 2022-09-16"
    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_changed", p, "REQUEST") for p in ALL_PARTS
    ]
    session = next(s for s in (await _course(seeded)).sessions if s.position == 2)
    assert (session.day, session.start_time) == (date(2022, 9, 16), time(9))
    assert (await actions(seeded))[0].action == "session.change"


async def test_a_session_with_a_start_but_no_end_is_refused(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    with pytest.raises(InvalidInput) as refused:
        await change_session(seeded, admin, ASI, 3, SessionEdit(start=time(9)))

    assert [e.field for e in refused.value.errors] == ["sessions.3"]


async def test_a_cancelled_session_is_cancelled_in_the_calendar_and_the_others_keep_positions(
    seeded: ServiceContext,
) -> None:
    seated, _ = await fill_asi(seeded, waiting=0)
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    await cancel_session(seeded, admin, ASI, 2)

    assert [s.position for s in (await _course(seeded)).sessions] == [1, 3, 4]
    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_changed", 1, "REQUEST"),
        ("course_changed", 2, "CANCEL"),
        ("course_changed", 3, "REQUEST"),
        ("course_changed", 4, "REQUEST"),
    ]


async def test_cancelling_the_last_session_cancels_the_course(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    for position in (1, 2, 3):
        await cancel_session(seeded, admin, ASI, position)

    await cancel_session(seeded, admin, ASI, 4)

    course = await _course(seeded)
    assert course.status is CourseStatus.CANCELLED
    assert [s.position for s in course.sessions] == [4]


async def test_an_unknown_session_is_not_found(seeded: ServiceContext) -> None:
    with pytest.raises(CourseNotFound):
        await cancel_session(seeded, await admin_of(seeded), ASI, 9)


async def test_another_organizers_course_is_answered_like_a_missing_one(
    seeded: ServiceContext,
) -> None:
    admin_b = await add_other_organizer(seeded)
    admin_a = await admin_of(seeded)

    with pytest.raises(CourseNotFound) as foreign:
        await change_course(seeded, admin_a, OTHER_COURSE, CourseEdit(title="Min nu"))
    with pytest.raises(CourseNotFound) as missing:
        await change_course(seeded, admin_a, "finns-inte", CourseEdit(title="Min nu"))
    with pytest.raises(CourseNotFound):
        await cancel_course(seeded, admin_b, ASI)

    assert foreign.value.detail == missing.value.detail.replace("finns-inte", OTHER_COURSE)
    assert (await _course(seeded, OTHER_COURSE)).title == "B:s kurs"


async def test_a_leader_may_not_do_an_admins_work(seeded: ServiceContext) -> None:
    with pytest.raises(Forbidden):
        await change_course(seeded, LEADER, ASI, CourseEdit(seats=8))
