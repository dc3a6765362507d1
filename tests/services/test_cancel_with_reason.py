"""An admin cancels a course or a session with a reason the people concerned read, after a
preview of who is told; a cancelled course is not cancelled twice."""

from __future__ import annotations

import pytest

from courses.domain.errors import CourseNotFound, Forbidden, InvalidInput, StaffConflict
from courses.domain.reasons import MAX_REASON
from courses.domain.rules import CourseStatus
from courses.services.context import ServiceContext
from courses.services.registration.register import register
from courses.services.schedule.cancel_preview import preview_cancel
from courses.services.schedule.course_edits import (
    CourseEdit,
    cancel_course,
    cancel_session,
    change_course,
)
from tests.conftest import fill_asi, form
from tests.services.admin_support import LEADER, actions, add_other_organizer, admin_of
from tests.services.outbox_rows import ALL_PARTS, ASI, addressed_to, mails_since, outbox_mark

REASON = "Kursledaren är sjuk.\nVi hör av oss om ett nytt datum."


async def test_the_preview_counts_who_is_told_and_changes_nothing(seeded: ServiceContext) -> None:
    await fill_asi(seeded, waiting=2)
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    whole = await preview_cancel(seeded, admin, ASI)
    one = await preview_cancel(seeded, admin, ASI, 2)

    assert (whole.confirmed, whole.waitlisted, whole.pending, whole.told) == (4, 2, 0, 6)
    assert whole.session is None
    assert not whole.already_cancelled
    assert one.session is not None
    assert one.session.position == 2
    assert await mails_since(seeded, mark) == []


async def test_cancelling_the_course_puts_the_reason_in_every_mail_and_the_audit_log(
    seeded: ServiceContext,
) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)

    await cancel_course(seeded, await admin_of(seeded), ASI, reason=f"  {REASON}\n\n")

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated[0].id) == [
        ("course_cancelled", p, "CANCEL") for p in ALL_PARTS
    ]
    assert addressed_to(written, waiting.id) == [("course_cancelled", None, None)]
    assert {m.payload["reason"] for m in written} == {REASON}
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.details["reason"]) == ("course.cancel", REASON)
    assert REASON in entry.summary


async def test_a_cancelled_course_cannot_be_cancelled_again(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await cancel_course(seeded, admin, ASI, reason=REASON)
    mark = await outbox_mark(seeded)

    with pytest.raises(StaffConflict) as twice:
        await cancel_course(seeded, admin, ASI, reason=REASON)
    with pytest.raises(StaffConflict) as session:
        await cancel_session(seeded, admin, ASI, 2, reason=REASON)

    assert twice.value.detail == "Kursen ASI grundutbildning är redan inställd."
    assert session.value.detail == twice.value.detail
    assert (await preview_cancel(seeded, admin, ASI)).already_cancelled
    assert await mails_since(seeded, mark) == []


async def test_cancelling_a_session_tells_everyone_with_the_reason(seeded: ServiceContext) -> None:
    seated, (waiting,) = await fill_asi(seeded, waiting=1)
    mark = await outbox_mark(seeded)

    await cancel_session(seeded, await admin_of(seeded), ASI, 3, reason=REASON)

    written = await mails_since(seeded, mark)
    assert ("course_changed", 3, "CANCEL") in addressed_to(written, seated[0].id)
    assert addressed_to(written, waiting.id) == [("course_changed", None, None)]
    assert {m.payload["reason"] for m in written} == {REASON}
    assert (await actions(seeded))[0].details["reason"] == REASON


async def test_a_session_already_cancelled_is_not_found(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)
    await cancel_session(seeded, admin, ASI, 2)

    with pytest.raises(CourseNotFound):
        await cancel_session(seeded, admin, ASI, 2, reason=REASON)
    with pytest.raises(CourseNotFound):
        await preview_cancel(seeded, admin, ASI, 2)


async def test_a_reason_too_long_is_refused_and_nothing_is_cancelled(
    seeded: ServiceContext,
) -> None:
    await register(seeded, ASI, form(1))
    admin = await admin_of(seeded)

    with pytest.raises(InvalidInput) as refused:
        await cancel_course(seeded, admin, ASI, reason="x" * (MAX_REASON + 1))

    assert [e.field for e in refused.value.errors] == ["reason"]
    assert not (await preview_cancel(seeded, admin, ASI)).already_cancelled


async def test_leaders_and_other_organizers_admins_may_not_preview(seeded: ServiceContext) -> None:
    admin_b = await add_other_organizer(seeded)

    with pytest.raises(Forbidden):
        await preview_cancel(seeded, LEADER, ASI)
    with pytest.raises(CourseNotFound):
        await preview_cancel(seeded, admin_b, ASI)


async def test_a_change_that_cancels_the_course_carries_its_reason_too(
    seeded: ServiceContext,
) -> None:
    (seated, *_), _ = await fill_asi(seeded, waiting=0)
    mark = await outbox_mark(seeded)

    await change_course(
        seeded,
        await admin_of(seeded),
        ASI,
        CourseEdit(status=CourseStatus.CANCELLED, reason="För få anmälda."),
    )

    written = await mails_since(seeded, mark)
    assert addressed_to(written, seated.id)[0][0] == "course_cancelled"
    assert {m.payload["reason"] for m in written} == {"För få anmälda."}
