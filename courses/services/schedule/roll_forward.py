"""Next year from this year: copies of courses, moved to new dates, created as drafts.

A copy keeps what the course is (title, description, leaders, formats with their places, caps
and meeting links, sessions with their times and places, waitlist, fair seats, lottery,
manager approval) and moves every day it has by the same number of days: sessions, the
deadline, the opening day, `share_until` and a lottery's draw. It has no registrations, and it
is a draft until an admin publishes it. Its slug is the course's with the year moved, or
another free one (`courses.domain.calendar_shift.copy_slugs`).

The copies are planned first, and each session that lands on a Swedish public holiday or day
off is named (`days_off`), so the admin can move it. Creating them is an import of a schedule
holding just the copies (`import_schedule`, every slug named new in `revisions`, so one taken
meanwhile is refused rather than overwritten): validated, atomic and audited as any import; a
dry run is that import rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from courses.domain.calendar_shift import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    copy_slugs,
    shift_day,
    years_in,
)
from courses.domain.courses import CourseRecord
from courses.domain.errors import FieldError, InvalidInput
from courses.domain.permissions import Actor
from courses.domain.rules import swedish_date
from courses.schedule.load import ScheduleError
from courses.schedule.lottery import draw_day
from courses.schedule.spec import CourseSpec, Schedule
from courses.services.context import ServiceContext
from courses.services.permissions import course_missing, require_admin
from courses.services.schedule.copies import copied_spec
from courses.services.schedule.days_off import days_off
from courses.services.schedule.importing import import_schedule
from courses.services.schedule.organizers import organizer_spec
from courses.storage.courses import courses_by_slugs, slugs_in_use
from courses.storage.organizers import organizer_by_id

__all__ = ["CopyPlan", "CourseCopy", "Holiday", "copy_course", "course_to_copy", "roll_forward"]


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str
    """Its Swedish name, as the calendar writes it: `Midsommarafton`, `Juldagen`."""


@dataclass(frozen=True, slots=True)
class CourseCopy:
    """One course's copy: the course it copies, the draft as it is (or would be) imported,
    and the holidays and days off its sessions land on, in date order."""

    source: str
    spec: CourseSpec
    holidays: list[Holiday]

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def sessions(self) -> list[date]:
        return [s.date for s in self.spec.session]

    @property
    def draw(self) -> date | None:
        return draw_day(self.spec)


@dataclass(frozen=True, slots=True)
class CopyPlan:
    copies: list[CourseCopy]
    days: int
    """How far every day moved."""
    created: bool
    """False for a dry run: nothing was written."""


async def roll_forward(
    ctx: ServiceContext,
    actor: Actor,
    slugs: Sequence[str],
    *,
    weeks: int = DEFAULT_WEEKS,
    dry_run: bool = False,
) -> CopyPlan:
    """Copy the courses `weeks` weeks later (weekdays kept) as drafts, or with `dry_run` only
    say what the copies would be.

    Raises Forbidden for a leader, and InvalidInput (nothing written) for no courses, weeks
    outside 1–104, or a course that does not exist or that the actor does not administer
    (answered alike), or courses of more than one organizer.
    """
    require_admin(actor)
    errors: list[FieldError] = []
    if not slugs:
        errors.append(FieldError("courses", "Välj minst en kurs att kopiera."))
    if not 1 <= weeks <= MAX_WEEKS:
        errors.append(FieldError("weeks", f"Ange ett antal veckor mellan 1 och {MAX_WEEKS}."))
    if errors:
        raise InvalidInput(
            "Kurserna kan inte kopieras: " + " ".join(e.message for e in errors), errors
        )
    wanted = list(dict.fromkeys(slugs))
    async with ctx.db.read() as conn:
        found = {c.slug: c for c in await courses_by_slugs(conn, wanted)}
    missing = [slug for slug in wanted if not _administers(actor, found.get(slug))]
    if missing:
        message = " ".join(course_missing(slug).detail for slug in missing)
        raise InvalidInput(message, [FieldError("courses", message)])
    return await _copy(
        ctx,
        [found[slug] for slug in wanted],
        days=weeks * 7,
        actor=actor,
        dry_run=dry_run,
        source=f"nytt år ({weeks} veckor framåt)",
    )


async def copy_course(
    ctx: ServiceContext,
    actor: Actor,
    slug: str,
    *,
    first_day: date | None = None,
    weeks: int | None = None,
    dry_run: bool = False,
) -> CopyPlan:
    """Copy one course as a draft to a new first day (or `weeks` weeks later); every other
    day moves as far. Exactly one of `first_day` and `weeks` is given.

    Raises Forbidden for a leader, CourseNotFound for a course the actor does not administer
    (or none), and InvalidInput for a first day before today or the course's own.
    """
    course = await course_to_copy(ctx, actor, slug)
    if (first_day is None) == (weeks is None):
        message = "Ange antingen en ny första kursdag eller ett antal veckor."
        raise InvalidInput(message, [FieldError("first_day", message)])
    if weeks is not None and not 1 <= weeks <= MAX_WEEKS:
        message = f"Ange ett antal veckor mellan 1 och {MAX_WEEKS}."
        raise InvalidInput(message, [FieldError("weeks", message)])
    if first_day is not None:
        _check_first_day(first_day, course, today=ctx.clock.now().astimezone(ctx.tz).date())
        days = (first_day - _first_day(course)).days
    else:
        assert weeks is not None
        days = weeks * 7
    return await _copy(
        ctx, [course], days=days, actor=actor, dry_run=dry_run, source=f"kopia av {slug}"
    )


async def course_to_copy(ctx: ServiceContext, actor: Actor, slug: str) -> CourseRecord:
    """The course, if the actor administers it: Forbidden for a leader, CourseNotFound for
    a course of another organizer as for none."""
    require_admin(actor)
    async with ctx.db.read() as conn:
        found = await courses_by_slugs(conn, [slug])
    course = found[0] if found else None
    if course is None or not _administers(actor, course):
        raise course_missing(slug)
    return course


def _administers(actor: Actor, course: CourseRecord | None) -> bool:
    return course is not None and actor.administers(course.organizer_id)


def _first_day(course: CourseRecord) -> date:
    return min(s.day for s in course.sessions)


def _check_first_day(first_day: date, course: CourseRecord, *, today: date) -> None:
    message = None
    if first_day < today:
        message = f"Den nya första kursdagen kan inte vara före i dag ({swedish_date(today)})."
    elif first_day > shift_day(today, MAX_WEEKS * 7):
        message = "Den nya första kursdagen kan ligga högst två år fram i tiden."
    elif first_day == _first_day(course):
        message = "Välj en annan första kursdag än kursens nuvarande."
    if message is not None:
        raise InvalidInput(message, [FieldError("first_day", message)])


async def _copy(
    ctx: ServiceContext,
    courses: Sequence[CourseRecord],
    *,
    days: int,
    actor: Actor,
    dry_run: bool,
    source: str,
) -> CopyPlan:
    organizers = {c.organizer_id for c in courses}
    if len(organizers) > 1:
        message = "Välj kurser från en arrangör i taget."
        raise InvalidInput(message, [FieldError("courses", message)])
    async with ctx.db.read() as conn:
        taken = await slugs_in_use(conn)
        organizer = await organizer_by_id(conn, organizers.pop())
    assert organizer is not None
    specs = []
    for course in courses:
        slug = next(s for s in copy_slugs(course.slug, years_in(days)) if s not in taken)
        taken.add(slug)
        specs.append(copied_spec(course, slug=slug, days=days))
    named = days_off(s.date for spec in specs for s in spec.session)
    copies = [
        CourseCopy(
            source=course.slug,
            spec=spec,
            holidays=[
                Holiday(day, named[day])
                for day in sorted({s.date for s in spec.session})
                if day in named
            ],
        )
        for course, spec in zip(courses, specs, strict=True)
    ]
    schedule = Schedule(
        organizer=organizer_spec(organizer),
        course=specs,
    )
    try:
        await import_schedule(
            ctx,
            schedule,
            dry_run=dry_run,
            source=source,
            actor=actor,
            revisions={
                spec.slug: None for spec in specs
            },  # new only: a slug taken meanwhile is refused
        )
    except ScheduleError as exc:
        errors = [FieldError("courses", str(p)) for p in exc.problems]
        raise InvalidInput(
            "Kopiorna kan inte skapas: " + " ".join(str(p) for p in exc.problems), errors
        ) from exc
    return CopyPlan(copies=copies, days=days, created=not dry_run)
