"""What a lottery's draw hands on to the other features: the employer share it respects, the
managers it asks, and the mails it writes.

Called by `courses.services.lottery.draw.draw` under the course lock its claim took, in its
transaction:
- fair seats (`per_employer`): the draw respects the share when it still applies at the
  moment of the draw (`courses.domain.fair_seats`), counting the seats an employer holds already;
  after it, the seats are first come and the share is kept by registering, promotion and the
  release at its end as on any course (a share that ended before the draw limits nothing);
- manager approval: a winner on a course whose manager approves holds the seat as
  `pending_approval` and its manager is asked (`ask_manager`), as a first-come registration
  with a seat would be; a winner who named no manager (applied before the course asked for
  approval) is confirmed as usual. A decline or an expiry then promotes the next on the
  waitlist, which is in drawn order;
- mails: a confirmed winner's says the seat was won in the draw, a loser's that the draw is
  done and their place on the waitlist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.courses import CourseRecord
from courses.domain.lottery import DrawResult
from courses.domain.notices import Method
from courses.services.notices import all_sessions, notice, queue
from courses.services.seats.approval_requests import ask_manager
from courses.storage.outbox import NewMail
from courses.storage.payloads import Confirmed, Waitlisted

__all__ = ["tell_drawn"]


async def tell_drawn(
    conn: AsyncConnection,
    course: CourseRecord,
    result: DrawResult,
    *,
    waiting_before: int,
    secret_key: str,
    now: datetime,
    tz: ZoneInfo,
) -> list[int]:
    """Ask the winners' managers (on an approval course) and queue every mail of the draw.

    The winners are confirmed already (`courses.storage.lottery.seat`); `ask_manager` turns
    each that named a manager into `pending_approval` and writes its two approval mails, the
    others get the Confirmed mail with their invites. Returns the ids now pending approval.
    """
    pending: list[int] = []
    if course.needs_approval:
        for registration_id in result.seated:
            if await ask_manager(
                conn, course, registration_id, secret_key=secret_key, now=now, tz=tz, drawn=True
            ):
                pending.append(registration_id)
    await queue(conn, _mails(course, result, waiting_before, skip=pending), now=now)
    return pending


def _mails(
    course: CourseRecord, result: DrawResult, waiting_before: int, *, skip: Sequence[int]
) -> list[list[NewMail]]:
    asked = set(skip)
    invites = all_sessions(course.session_positions, Method.REQUEST)
    mails = [
        notice(id_, Confirmed(drawn=True), invites=invites)
        for id_ in result.seated
        if id_ not in asked
    ]
    mails += [
        notice(id_, Waitlisted(waitlist_position=waiting_before + n, after_draw=True))
        for n, id_ in enumerate(result.waitlist, start=1)
    ]
    return mails
