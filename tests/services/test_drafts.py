"""A draft course: seen only by staff until an edit publishes it."""

from __future__ import annotations

import pytest

from courses.domain.errors import CourseNotFound
from courses.domain.rules import CourseStatus, RegistrationState
from courses.schedule import ScheduleError
from courses.schedule.spec import Schedule
from courses.services.catalogue.cache import CatalogueCache
from courses.services.catalogue.listing import get_course, list_courses
from courses.services.context import ServiceContext
from courses.services.registration.calendars import course_ics
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from courses.storage.courses import load_course
from tests.conftest import form
from tests.services.test_schedule_import import with_course

ASI = "asi-grund-2022"


@pytest.fixture
async def drafted(seeded: ServiceContext, seed_schedule: Schedule) -> ServiceContext:
    """The seeded schedule with ASI grundutbildning turned into a draft (nobody registered)."""
    await import_schedule(seeded, with_course(seed_schedule, ASI, status="draft"))
    return seeded


async def test_a_draft_is_stored_but_left_out_of_the_catalogue(drafted: ServiceContext) -> None:
    slugs = [listing.course.slug for listing in await list_courses(drafted)]
    cached = [listing.course.slug for listing in await CatalogueCache().list_courses(drafted)]

    assert ASI not in slugs
    assert ASI not in cached
    assert len(slugs) == 4
    async with drafted.db.read() as conn:
        stored = await load_course(conn, ASI)
    assert stored is not None
    assert stored.status is CourseStatus.DRAFT


async def test_a_draft_is_answered_as_an_unknown_course(drafted: ServiceContext) -> None:
    with pytest.raises(CourseNotFound) as direct:
        await get_course(drafted, ASI)
    with pytest.raises(CourseNotFound) as cached:
        await CatalogueCache().get_course(drafted, ASI)
    with pytest.raises(CourseNotFound) as registering:
        await register(drafted, ASI, form(1))
    with pytest.raises(CourseNotFound):
        await course_ics(drafted, ASI)

    unknown = "Det finns ingen kurs som heter 'asi-grund-2022'."
    assert direct.value.detail == cached.value.detail == registering.value.detail == unknown


async def test_publishing_a_draft_opens_it_for_registration(
    drafted: ServiceContext, seed_schedule: Schedule
) -> None:
    await import_schedule(drafted, with_course(seed_schedule, ASI, status="published"))

    listing = await get_course(drafted, ASI)
    receipt = await register(drafted, ASI, form(1))

    assert listing.state is RegistrationState.OPEN
    assert receipt.status == "confirmed"


async def test_a_course_with_registrations_cannot_become_a_draft(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    await register(seeded, ASI, form(1))

    with pytest.raises(ScheduleError) as refused:
        await import_schedule(seeded, with_course(seed_schedule, ASI, status="draft"))

    [problem] = refused.value.problems
    assert problem.place == "course[4] (asi-grund-2022).status"
    assert "1 aktiva anmälningar" in problem.message
    assert "ställ in den i stället" in problem.message
    assert (await get_course(seeded, ASI)).course.status is CourseStatus.PUBLISHED
