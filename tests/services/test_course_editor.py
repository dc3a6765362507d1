"""The course editor: a course saved as its schedule entry, through the import, with a
preview that counts exactly the mails the save then writes."""

from __future__ import annotations

from collections import Counter
from datetime import date

import msgspec
import pytest

from courses.domain.errors import CourseNotFound, Forbidden, InvalidInput, StaleCourse
from courses.domain.notices import MailTally
from courses.schedule import ScheduleError, parse_schedule
from courses.schedule.spec import CourseSpec
from courses.services.catalogue.listing import list_courses
from courses.services.context import ServiceContext
from courses.services.schedule.editor import open_course, parse_entry, save_course
from courses.services.schedule.preview import mail_lines
from tests.conftest import fill_asi
from tests.services.admin_support import LEADER, actions, add_other_organizer, admin_of
from tests.services.outbox_rows import ASI, Mail, calendar_sequence, mails_since, outbox_mark

NEW = "asi-fordjupning-2022"


def new_entry(**changes: object) -> CourseSpec:
    document = {
        "slug": NEW,
        "title": "ASI fördjupning",
        "leaders": [{"name": "Anna Hamle", "email": "anna.hamle@kronoberg.se"}],
        "deadline": "2022-09-01",
        "seats": 10,
        "status": "draft",
        "format": [{"key": "digital", "kind": "digital"}],
        "session": [{"date": "2022-09-20", "start": "09:00:00", "end": "12:00:00"}],
        **changes,
    }
    return parse_entry(document)


def tally_of(mails: list[Mail]) -> Counter[tuple[str, str | None]]:
    return Counter((m.kind, m.method) for m in mails)


def preview_counter(tally: MailTally) -> Counter[tuple[str, str | None]]:
    return Counter(
        {(c.kind.value, c.method.value if c.method else None): c.messages for c in tally.counts}
    )


async def test_a_new_course_is_saved_as_a_draft_and_an_edit_publishes_it(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)

    created = await save_course(seeded, admin, new_entry(), revision=None)
    form = await open_course(seeded, admin, NEW)
    assert created.created
    assert form.entry == new_entry()
    assert NEW not in [c.course.slug for c in await list_courses(seeded)]

    published = await save_course(
        seeded,
        admin,
        msgspec.structs.replace(form.entry, status="published"),
        revision=form.revision,
    )

    assert published.changes == ["status: draft → published"]
    assert NEW in [c.course.slug for c in await list_courses(seeded)]
    entry = (await actions(seeded))[0]
    assert (entry.actor, entry.course_slug, entry.action) == (admin.label, NEW, "schedule.import")


async def test_a_stored_course_opens_as_the_entry_that_imports_back_unchanged(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)
    form = await open_course(seeded, admin, ASI)

    again = await save_course(seeded, admin, form.entry, revision=form.revision)

    assert again.changes == []
    assert (await open_course(seeded, admin, ASI)).revision == form.revision


async def test_a_new_course_needs_a_free_slug(seeded: ServiceContext) -> None:
    admin = await admin_of(seeded)

    with pytest.raises(InvalidInput) as refused:
        await save_course(seeded, admin, new_entry(slug=ASI), revision=None)

    assert [e.field for e in refused.value.errors] == ["slug"]


async def test_the_preview_counts_exactly_the_mails_the_save_then_writes(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)
    await fill_asi(seeded, waiting=2)
    form = await open_course(seeded, admin, ASI)
    sessions = list(form.entry.session)
    sessions[1] = msgspec.structs.replace(sessions[1], date=date(2022, 9, 16))
    del sessions[3]  # the last session is removed: a CANCEL for it
    changed = msgspec.structs.replace(form.entry, session=sessions, seats=5)
    mark = await outbox_mark(seeded)

    preview = await save_course(seeded, admin, changed, revision=form.revision, dry_run=True)

    assert await mails_since(seeded, mark) == []
    assert (await open_course(seeded, admin, ASI)).revision == form.revision
    assert "platser: 4 → 5" in preview.changes
    assert preview.registrants == 6
    assert mail_lines(preview.mails) == [
        "12 uppdaterade kalenderinbjudningar",  # 4 confirmed x the 3 sessions left
        "4 avbokade kurstillfällen",  # 4 confirmed x the removed session
        "2 mejl om ändringen (utan kalenderinbjudan)",  # the waitlist
        "1 person flyttas upp från reservlistan",
    ]

    sequence = await calendar_sequence(seeded, ASI)
    applied = await save_course(seeded, admin, changed, revision=form.revision)

    written = await mails_since(seeded, mark)
    assert tally_of(written) == preview_counter(preview.mails)
    assert applied.mails == preview.mails
    assert applied.changes == preview.changes
    assert await calendar_sequence(seeded, ASI) > sequence


async def test_a_form_opened_before_someone_elses_change_is_refused(
    seeded: ServiceContext,
) -> None:
    admin = await admin_of(seeded)
    mine = await open_course(seeded, admin, ASI)
    theirs = await open_course(seeded, admin, ASI)
    await save_course(
        seeded, admin, msgspec.structs.replace(theirs.entry, seats=6), revision=theirs.revision
    )

    for dry_run in (True, False):
        with pytest.raises(StaleCourse) as refused:
            await save_course(
                seeded,
                admin,
                msgspec.structs.replace(mine.entry, title="Ny titel"),
                revision=mine.revision,
                dry_run=dry_run,
            )
        assert "ändrats av någon annan" in refused.value.detail

    assert (await open_course(seeded, admin, ASI)).entry.title == "ASI grundutbildning"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deadline": date(2022, 9, 20)}, "deadline"),
        ({"allocation": "lottery", "draw": date(2022, 9, 15)}, "draw"),
        ({"opens": date(2022, 9, 10), "deadline": date(2022, 9, 1)}, "opens"),
    ],
)
async def test_a_change_that_breaks_a_rule_is_refused_with_nothing_saved(
    seeded: ServiceContext, changes: dict[str, object], field: str
) -> None:
    admin = await admin_of(seeded)
    await fill_asi(seeded, waiting=0)
    form = await open_course(seeded, admin, ASI)
    mark = await outbox_mark(seeded)

    with pytest.raises(InvalidInput) as refused:
        await save_course(
            seeded,
            admin,
            msgspec.structs.replace(form.entry, **changes),
            revision=form.revision,
        )

    assert field in [e.field for e in refused.value.errors]
    assert (await open_course(seeded, admin, ASI)).revision == form.revision
    assert await mails_since(seeded, mark) == []


async def test_an_entry_document_reports_every_problem_at_its_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        new_entry(
            title="",
            session=[{"date": "2022-09-20", "start": "12:00:00", "end": "09:00:00"}, {"date": "x"}],
            leaders=[{"name": "A", "email": "inte-en-adress"}],
        )

    assert {e.field for e in refused.value.errors} == {
        "title",
        "session[2].date",
        "leaders[1].email",
    }


async def test_leaders_and_other_organizers_admins_cannot_edit(seeded: ServiceContext) -> None:
    other = await add_other_organizer(seeded)
    admin = await admin_of(seeded)
    form = await open_course(seeded, admin, ASI)

    with pytest.raises(Forbidden):
        await open_course(seeded, LEADER, ASI)
    with pytest.raises(Forbidden):
        await save_course(seeded, LEADER, form.entry, revision=form.revision)
    with pytest.raises(CourseNotFound):
        await open_course(seeded, other, ASI)
    with pytest.raises(CourseNotFound):
        await save_course(seeded, other, form.entry, revision=form.revision)
    with pytest.raises(InvalidInput):
        await save_course(seeded, other, form.entry, revision=None)


async def test_a_date_centuries_away_is_refused_at_its_field_as_in_a_file() -> None:
    with pytest.raises(InvalidInput) as refused:
        new_entry(deadline="9999-12-31", allocation="lottery")
    with pytest.raises(ScheduleError) as in_a_file:
        parse_schedule(FAR_FILE)

    assert [e.field for e in refused.value.errors] == ["deadline"]
    assert [p.place for p in in_a_file.value.problems] == [
        "course[1] (langt-bort).deadline",
        "course[1] (langt-bort).session[1].date",
    ]


FAR_FILE = """
[[course]]
slug = "langt-bort"
title = "Långt bort"
deadline = 9999-12-31
allocation = "lottery"
[[course.format]]
key = "digital"
kind = "digital"
[[course.session]]
date = 9999-12-31
"""
