"""Gallring: the personal data of a course's registrations is purged `COURSES_RETENTION_DAYS`
after its last session; the rows stay, blanked, so the statistics keep their counts.

A purge goes course by course in batches, each its own transaction with its own audit entry,
so a county's years of registrations never hold one long transaction and a purge stopped
half-way leaves every batch either done and recorded or untouched. The worker runs it once a
day (`daily_purge`); `courses purge` runs it now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from courses.domain.permissions import Actor
from courses.domain.retention import purge_through
from courses.domain.rules import swedish_date
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.storage.retention import (
    BatchCounts,
    DueCourse,
    claim_day,
    due_courses,
    finish_day,
    lock_batch,
    purge_batch,
    scrub_audit,
)

__all__ = [
    "PURGE_ACTION",
    "WORKER",
    "CoursePurge",
    "PurgeProgress",
    "PurgeReport",
    "daily_purge",
    "purge",
]

PURGE_ACTION = "retention.purge"
WORKER = Actor(label="gallringen (schemalagd)", superadmin=True)
BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class CoursePurge:
    """What was (or, in a dry run, would be) purged of one course."""

    slug: str
    title: str
    last_day: date
    registrations: int
    mails: int
    attendance: int


@dataclass(frozen=True, slots=True)
class PurgeProgress:
    """Told after each batch: `done` of `total` registrations of the course purged so far."""

    course: DueCourse
    done: int
    course_number: int
    course_count: int


@dataclass(frozen=True, slots=True)
class PurgeReport:
    dry_run: bool
    retention_days: int
    through: date | None
    """Courses that ended on or before this day are due; None: retention is off."""
    courses: list[CoursePurge] = field(default_factory=list)

    @property
    def registrations(self) -> int:
        return sum(c.registrations for c in self.courses)

    @property
    def mails(self) -> int:
        return sum(c.mails for c in self.courses)


def _summary(course: DueCourse, counts: BatchCounts, retention_days: int) -> str:
    return (
        f"Gallrade personuppgifterna i {counts.registrations} anmälningar till {course.title} "
        f"(sista kursdagen {swedish_date(course.last_day)}, gallring efter {retention_days} "
        f"dagar); {counts.mails} mejl raderade, {counts.attendance} närvaromarkeringar "
        "avidentifierade. Antalen i statistiken är kvar."
    )


async def _purge_course(
    ctx: ServiceContext,
    course: DueCourse,
    *,
    actor: Actor,
    batch_size: int,
    tell: Callable[[int], None],
) -> CoursePurge | None:
    days = ctx.settings.retention_days
    total = BatchCounts(0, 0, 0)
    while True:
        now = ctx.clock.now()
        async with ctx.db.write() as conn:
            people = await lock_batch(conn, course.id, limit=batch_size)
            counts = await purge_batch(conn, [p.id for p in people], now=now)
            if counts.registrations:
                await scrub_audit(conn, course.slug, people)
                await record(
                    conn,
                    actor,
                    PURGE_ACTION,
                    at=now,
                    organizer_id=course.organizer_id,
                    course_slug=course.slug,
                    summary=_summary(course, counts, days),
                    details={
                        "registrations": counts.registrations,
                        "mails": counts.mails,
                        "attendance": counts.attendance,
                        "last_session": course.last_day.isoformat(),
                        "retention_days": days,
                    },
                )
        total = BatchCounts(
            total.registrations + counts.registrations,
            total.mails + counts.mails,
            total.attendance + counts.attendance,
        )
        tell(total.registrations)
        if len(people) < batch_size:
            break
    if not total.registrations:
        return None  # another purge got there first
    return CoursePurge(
        course.slug,
        course.title,
        course.last_day,
        total.registrations,
        total.mails,
        total.attendance,
    )


async def purge(
    ctx: ServiceContext,
    *,
    actor: Actor = WORKER,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[PurgeProgress], None] | None = None,
) -> PurgeReport:
    """Purge every course due now (or, with `dry_run`, say what would be purged and write
    nothing). Purging again finds nothing; two purges at once each purge a registration at
    most once between them (the batch UPDATE is conditional on it not being purged)."""
    days = ctx.settings.retention_days
    through = purge_through(ctx.clock.now(), tz=ctx.tz, retention_days=days)
    report = PurgeReport(dry_run=dry_run, retention_days=days, through=through)
    if through is None:
        return report
    async with ctx.db.read() as conn:
        due = await due_courses(conn, through=through)
    if dry_run:
        report.courses.extend(
            CoursePurge(c.slug, c.title, c.last_day, c.registrations, c.mails, c.attendance)
            for c in due
        )
        return report
    for number, course in enumerate(due, start=1):

        def tell(done: int, course: DueCourse = course, number: int = number) -> None:
            if progress is not None:
                progress(PurgeProgress(course, done, number, len(due)))

        done = await _purge_course(ctx, course, actor=actor, batch_size=batch_size, tell=tell)
        if done is not None:
            report.courses.append(done)
    return report


async def daily_purge(ctx: ServiceContext) -> PurgeReport | None:
    """The worker's purge: at most once per local day across every worker (the first to
    record the day runs it). None when it is off or already ran today.

    A run that dies half-way is not retried that day; the next day's run finds what is left.
    """
    if ctx.settings.retention_days <= 0:
        return None
    now = ctx.clock.now()
    day = now.astimezone(ctx.tz).date()
    async with ctx.db.write() as conn:
        if not await claim_day(conn, day, now=now):
            return None
    report = await purge(ctx)
    async with ctx.db.write() as conn:
        await finish_day(conn, day, now=ctx.clock.now(), purged=report.registrations)
    return report
