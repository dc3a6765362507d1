"""Fair seats (`per_employer`): enrolling under the employer share, promotion that respects
it, and handing the free seats to the waitlist when the share ends.

The rule is `courses.domain.fair_seats`; the guard (a count under the course row's lock) is
`courses.storage.seats.fair_seats`. When the share ends (the worker's
`courses.services.seats.share_release.release_ended_shares`, or at once
when an import or an admin change ends or widens it, since both promote through
`courses.services.seats.waitlist.promote_waitlisted`), the waitlist is promoted in queue order
whatever the employer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.fair_seats import Share, at_share, waitlisted_by_share
from courses.services.context import ServiceContext
from courses.storage.db import Database, SyncRun
from courses.storage.seats import counters, enrolment, fair_seats, mailed
from courses.storage.seats.enrolment import Enrolment
from courses.storage.seats.mailed import Mails, NoWaitlist

__all__ = [
    "Enrolment",
    "Mails",
    "NoWaitlist",
    "ShareGate",
    "active",
    "enrol",
    "enrol_mailed",
    "mail_reason",
    "share_at_draw",
    "share_request",
    "waiting_reason",
]


def active(course: CourseRecord, *, now: datetime, tz: ZoneInfo) -> Share | None:
    share = course.share
    return share if share is not None and share.applies(now, tz) else None


async def share_request(
    ctx: ServiceContext, course: CourseRecord, employer_id: int, *, now: datetime
) -> fair_seats.ShareRequest | None:
    """What a registration must respect, or None when the course has no share (now).

    Reads nothing (async so that a test can replace it with a naive read of the held seats
    before the write transaction, see `fair_seats.ShareRequest.held_seen`)."""
    share = active(course, now=now, tz=ctx.tz)
    if share is None:
        return None
    return fair_seats.ShareRequest(employer_id=employer_id, per_employer=share.per_employer)


async def enrol(
    conn: AsyncConnection,
    course: CourseRecord,
    fmt: FormatRecord,
    share: fair_seats.ShareRequest | None,
    *,
    row: Mapping[str, Any],
    now: datetime,
) -> tuple[enrolment.Enrolment | None, bool]:
    """Enrol `row` in `fmt` of `course` as the course was defined at its `revision` (None when
    it changed meanwhile: nothing written), under the employer share when there is one; also
    whether the registrant was waitlisted because their employer holds its share."""
    revision = course.revision
    request = counters.SeatRequest(
        course_id=course.id,
        format_id=fmt.id,
        course_seats_left=course.seats_left,
        format_seats_left=fmt.seats_left,
    )
    if share is None:
        return await enrolment.enrol(conn, request, revision=revision, row=row, now=now), False
    made = await fair_seats.enrol_fair(conn, request, share, revision=revision, row=row, now=now)
    if made is None:
        return None, False
    return made.enrolment, made.at_share and not made.enrolment.confirmed


async def enrol_mailed(
    db: Database,
    course: CourseRecord,
    fmt: FormatRecord,
    *,
    row: Mapping[str, Any],
    now: datetime,
    mails: Mails,
) -> Enrolment | None:
    """`enrol` in its own write transaction together with the outcome's `mails`, for a
    course without an employer share (now) or approval: the course row's lock is held for the
    database's work only (`courses.storage.seats.mailed`). None (nothing written) when the
    course changed since `course.revision`; NoWaitlist (nothing written) when it was full and
    has no waitlist."""
    request = counters.SeatRequest(
        course_id=course.id,
        format_id=fmt.id,
        course_seats_left=course.seats_left,
        format_seats_left=fmt.seats_left,
    )
    revision, waitlist = course.revision, course.waitlist
    if db.is_sqlite:

        def work(run: SyncRun) -> Enrolment | None:
            return mailed.enrol_mailed_at_once(
                run, request, revision=revision, row=row, now=now, mails=mails, waitlist=waitlist
            )

        return await db.write_at_once(work)
    if mailed.is_one_statement(request, waitlist=waitlist):
        opened = db.single_statement()  # commits as it ends: nothing to add or undo
    else:
        opened = db.write()
    async with opened as conn:
        return await mailed.enrol_mailed_in_one_statement(
            conn, request, revision=revision, row=row, now=now, mails=mails, waitlist=waitlist
        )


@dataclass(slots=True)
class ShareGate:
    """The waitlist as a promotion walks it, with the employers' held seats while a share
    lasts (counted once, under the caller's course lock, then kept up by `took`)."""

    course_id: int
    share: Share | None
    held: dict[int, int] = field(default_factory=dict)

    @classmethod
    async def of(
        cls, conn: AsyncConnection, course: CourseRecord, *, now: datetime, tz: ZoneInfo
    ) -> ShareGate:
        share = active(course, now=now, tz=tz)
        held = await fair_seats.held_by_employer(conn, course.id) if share is not None else {}
        return cls(course.id, share, held)

    async def waiting(self, conn: AsyncConnection) -> list[tuple[int, int | None, int]]:
        return await fair_seats.waiting_with_employer(conn, self.course_id)

    def full(self, employer_id: int) -> bool:
        """The employer holds its share: its waiting registrants keep their places."""
        return self.share is not None and self.held.get(employer_id, 0) >= self.share.per_employer

    def took(self, employer_id: int) -> None:
        self.held[employer_id] = self.held.get(employer_id, 0) + 1


def mail_reason(course: CourseRecord, at_share: bool) -> dict[str, Any]:
    """The waitlisted mail's payload fields that say the employer share was the reason."""
    share = course.share
    if not at_share or share is None:
        return {}
    return {"per_employer": share.per_employer, "share_until": share.last_day}


async def waiting_reason(
    conn: AsyncConnection,
    course: CourseRecord,
    registration_id: int,
    *,
    now: datetime,
    tz: ZoneInfo,
) -> str | None:
    """Why a waitlisted registrant waits although seats may be free: their employer holds its
    share while it lasts (the manage page says so); None otherwise."""
    share = active(course, now=now, tz=tz)
    if share is None:
        return None
    if not at_share(share, await fair_seats.held_by_own_employer(conn, registration_id)):
        return None
    return waitlisted_by_share(share)


async def share_at_draw(
    conn: AsyncConnection, course: CourseRecord, *, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """The caps the share adds to the draw, as the audit entry records them: `per_employer`,
    the most seats one employer may hold, while the course's share applies at `now` (the
    draw's moment), else None (no limit beyond the interleaving); and `held`, the seats each
    employer holds already (by employer id as a string; a course that became a lottery after
    people registered), which count against it. Read under the draw's course lock."""
    share = active(course, now=now, tz=tz)
    if share is None:
        return {"per_employer": None}
    held = await fair_seats.held_by_employer(conn, course.id)
    return {"per_employer": share.per_employer, "held": {str(e): n for e, n in held.items()}}
