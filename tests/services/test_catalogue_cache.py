"""The catalogue's kept course records: reloaded exactly when a course changed."""

from __future__ import annotations

import msgspec
import pytest

from courses.domain.errors import CourseNotFound
from courses.schedule import Schedule, parse_schedule
from courses.services.catalogue import cache as catalogue_cache
from courses.services.catalogue import listing as catalogue
from courses.services.catalogue.cache import CatalogueCache
from courses.services.catalogue.listing import CourseListing
from courses.services.context import ServiceContext
from courses.services.registration.cancellation import cancel_registration
from courses.services.registration.register import register
from courses.services.schedule.importing import import_schedule
from tests.conftest import ASI, form
from tests.services.admin_support import OTHER_COURSE, OTHER_EMPLOYER, OTHER_ORGANIZER_FILE


async def test_the_kept_catalogue_equals_a_fresh_load_after_every_kind_of_change(
    seeded: ServiceContext, seed_schedule: Schedule
) -> None:
    cache = CatalogueCache()
    assert await cache.list_courses(seeded) == await catalogue.list_courses(seeded)

    receipt = await register(seeded, ASI, form(1))
    after_registering = await cache.list_courses(seeded)
    await cancel_registration(seeded, receipt.token)
    after_cancelling = await cache.list_courses(seeded)
    renamed = [
        msgspec.structs.replace(c, title="ASI grundutbildning (ny)") if c.slug == ASI else c
        for c in seed_schedule.course
    ]
    await import_schedule(seeded, Schedule(course=renamed))
    after_import = await cache.list_courses(seeded)

    def seats_left(listings: list[CourseListing]) -> int | None:
        return next(x.course.seats_left for x in listings if x.course.slug == ASI)

    assert seats_left(after_registering) == 3
    assert seats_left(after_cancelling) == 4
    assert "ASI grundutbildning (ny)" in [x.course.title for x in after_import]
    assert after_import == await catalogue.list_courses(seeded)


async def test_an_unchanged_catalogue_is_not_loaded_again(
    seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []
    real = catalogue_cache.load_courses

    async def counting(*args: object, **kwargs: object) -> object:
        loads.append(1)
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(catalogue_cache, "load_courses", counting)
    cache = CatalogueCache()

    await cache.list_courses(seeded)
    await cache.list_courses(seeded)
    await register(seeded, "hap-2022", form(1, format="digital"))  # uncapped: nothing shown moves
    await cache.list_courses(seeded)
    await register(seeded, ASI, form(2))
    await cache.list_courses(seeded)

    assert len(loads) == 2


async def test_one_course_from_the_kept_catalogue_is_what_the_catalog_service_gives(
    seeded: ServiceContext,
) -> None:
    cache = CatalogueCache()
    await cache.list_courses(seeded)
    await register(seeded, ASI, form(1))

    kept = await cache.get_course(seeded, ASI)

    assert kept == await catalogue.get_course(seeded, ASI)
    assert kept.course.seats_left == 3
    with pytest.raises(CourseNotFound):
        await cache.get_course(seeded, "finns-inte")


async def test_one_organizers_courses_are_kept_apart_from_the_others(
    seeded: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_schedule(seeded, parse_schedule(OTHER_ORGANIZER_FILE, source="b.toml"))
    loads: list[object] = []
    real = catalogue_cache.load_courses

    async def counting(*args: object, **kwargs: object) -> object:
        loads.append(kwargs.get("organizer_ids"))
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(catalogue_cache, "load_courses", counting)
    cache = CatalogueCache()

    theirs, _ = await cache.with_organizers(seeded, organizer_key="b")
    await register(seeded, ASI, form(1))  # the other organizer's capped course moves
    again, _ = await cache.with_organizers(seeded, organizer_key="b")
    await register(seeded, OTHER_COURSE, form(2, employer=OTHER_EMPLOYER, email="b2@b-kommun.se"))
    page = await cache.get_course(seeded, OTHER_COURSE)
    everyone = [x.course for x in await cache.list_courses(seeded)]

    assert [c.slug for c in theirs] == [OTHER_COURSE]
    assert again is theirs
    assert len(loads) == 3  # b; b after its own registration; then the seed organizer's
    assert page == await catalogue.get_course(seeded, OTHER_COURSE)
    assert page.course.seats_left == 1
    assert everyone == [x.course for x in await catalogue.list_courses(seeded)]
    assert (await cache.with_organizers(seeded, organizer_key="finns-inte"))[0] == ()
