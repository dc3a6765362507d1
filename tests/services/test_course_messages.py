"""Messages from a course's leader or admin to the course's people: who is reached in each
group, a dry run that writes nothing, one outbox mail per person, and the audit entry."""

from __future__ import annotations

import pytest

from courses.domain.errors import CourseNotFound, InvalidInput
from courses.domain.messages import MessageGroup
from courses.domain.rules import RegistrationStatus
from courses.services.attendance.messages import write_to_course
from courses.services.context import ServiceContext
from courses.services.retention.data_extract import registration_data
from tests.message_support import (
    COURSE,
    LEADER,
    OTHER,
    OTHER_LEADER,
    People,
    course_with_people,
    draft,
)
from tests.services.admin_support import actions, add_other_organizer, admin_of
from tests.services.lottery_support import SLUG as LOTTERY
from tests.services.lottery_support import add_lottery, apply
from tests.services.outbox_rows import mails_since, outbox_mark


@pytest.fixture
async def people(seeded: ServiceContext) -> People:
    return await course_with_people(seeded)


def _expected(people: People, group: MessageGroup) -> set[int]:
    return {
        MessageGroup.ALL: {r.id for r in people.active},
        MessageGroup.CONFIRMED: {people.confirmed.id},
        MessageGroup.WAITLISTED: {people.waitlisted.id},
        MessageGroup.SESSION: {people.confirmed.id, people.pending.id},
    }[group]


@pytest.mark.parametrize("group", list(MessageGroup))
async def test_each_group_reaches_its_people_once_each(
    seeded: ServiceContext, people: People, group: MessageGroup
) -> None:
    assert people.pending.status is RegistrationStatus.PENDING_APPROVAL
    assert people.waitlisted.status is RegistrationStatus.WAITLISTED
    mark = await outbox_mark(seeded)
    session = 2 if group is MessageGroup.SESSION else None

    outcome = await write_to_course(seeded, LEADER, COURSE, draft(group, session=session))

    written = await mails_since(seeded, mark, kind="message")
    assert outcome.recipients == len(written) == len(_expected(people, group))
    assert {m.registration_id for m in written} == _expected(people, group)
    assert await mails_since(seeded, mark) == written  # nothing else was queued


async def test_a_dry_run_counts_and_writes_nothing(seeded: ServiceContext, people: People) -> None:
    mark = await outbox_mark(seeded)
    logged = len(await actions(seeded))

    outcome = await write_to_course(seeded, LEADER, COURSE, draft(), dry_run=True)

    assert (outcome.recipients, outcome.sent) == (3, False)
    assert await mails_since(seeded, mark) == []
    assert len(await actions(seeded)) == logged


async def test_each_mail_carries_the_text_and_the_send_is_audited(
    seeded: ServiceContext, people: People
) -> None:
    mark = await outbox_mark(seeded)
    message = draft(
        MessageGroup.SESSION, subject="  Lokalen har flyttats ", text="Sal 3.\n", session=1
    )

    await write_to_course(seeded, LEADER, COURSE, message)

    written = await mails_since(seeded, mark)
    assert [(m.part, m.method) for m in written] == [(None, None), (None, None)]
    assert {str(m.payload) for m in written} == {
        str({"subject": "Lokalen har flyttats", "text": "Sal 3.", "session": 1})
    }
    (entry, *_) = await actions(seeded)
    assert (entry.action, entry.actor, entry.course_slug) == (
        "course.message",
        LEADER.label,
        COURSE,
    )
    assert entry.details == {
        "to": "session",
        "session": 1,
        "recipients": 2,
        "subject": "Lokalen har flyttats",
        "text": "Sal 3.",
    }
    assert "deltagarna kursdag 1" in entry.summary


async def test_an_admin_writes_to_any_course_of_their_organizer(
    seeded: ServiceContext, people: People
) -> None:
    admin = await admin_of(seeded)

    outcome = await write_to_course(seeded, admin, COURSE, draft(MessageGroup.WAITLISTED))

    assert outcome.recipients == 1
    (entry, *_) = await actions(seeded)
    assert entry.actor == admin.label


async def test_a_course_not_the_actors_is_answered_as_a_missing_one(
    seeded: ServiceContext, people: People
) -> None:
    other_admin = await add_other_organizer(seeded)
    mark = await outbox_mark(seeded)

    for actor, slug in [(OTHER_LEADER, COURSE), (LEADER, OTHER), (other_admin, COURSE)]:
        with pytest.raises(CourseNotFound) as refused:
            await write_to_course(seeded, actor, slug, draft())
        with pytest.raises(CourseNotFound) as missing:
            await write_to_course(seeded, actor, "finns-inte-2022", draft())
        assert str(refused.value).replace(slug, "X") == str(missing.value).replace(
            "finns-inte-2022", "X"
        )
    # Not even a bad draft tells that the course exists.
    with pytest.raises(CourseNotFound):
        await write_to_course(seeded, OTHER_LEADER, COURSE, draft(subject=""))
    assert await mails_since(seeded, mark) == []


async def test_a_bad_draft_is_refused_whole_with_field_errors(
    seeded: ServiceContext, people: People
) -> None:
    mark = await outbox_mark(seeded)
    bad = draft(MessageGroup.SESSION, subject="Hej\r\nBcc: alla@example.se", text=" ", session=3)

    with pytest.raises(InvalidInput) as refused:
        await write_to_course(seeded, LEADER, COURSE, bad)

    assert {e.field for e in refused.value.errors} == {"subject", "text", "session"}
    assert await mails_since(seeded, mark) == []


async def test_sending_to_an_empty_group_is_refused_but_a_dry_run_says_none(
    seeded: ServiceContext,
) -> None:
    await course_with_people(seeded)
    message = draft()

    assert (
        await write_to_course(seeded, OTHER_LEADER, OTHER, message, dry_run=True)
    ).recipients == 0
    with pytest.raises(InvalidInput) as refused:
        await write_to_course(seeded, OTHER_LEADER, OTHER, message)
    assert [e.field for e in refused.value.errors] == ["to"]


async def test_applicants_to_a_lottery_are_among_all_but_not_the_confirmed(
    seeded: ServiceContext,
) -> None:
    await add_lottery(seeded)
    applicant = await apply(seeded, 1, "vaxjo", "digital")
    admin = await admin_of(seeded)
    mark = await outbox_mark(seeded)

    everyone = await write_to_course(seeded, admin, LOTTERY, draft(MessageGroup.ALL))
    confirmed = await write_to_course(
        seeded, admin, LOTTERY, draft(MessageGroup.CONFIRMED), dry_run=True
    )

    assert applicant.status is RegistrationStatus.APPLIED
    assert (everyone.recipients, confirmed.recipients) == (1, 0)
    assert [m.registration_id for m in await mails_since(seeded, mark)] == [applicant.id]


async def test_the_registerutdrag_says_what_the_message_said(
    seeded: ServiceContext, people: People
) -> None:
    await write_to_course(seeded, LEADER, COURSE, draft(subject="Ny sal", text="Sal 3."))

    extract = await registration_data(seeded, people.waitlisted.token)

    (message,) = [m for m in extract.mails if m.stored.kind == "message"]
    assert message.about.startswith("Ett meddelande om kursen")
    assert message.content == ["Ämne: Ny sal", "Sal 3."]
