"""Draw a lottery course's seats, exactly once, and let an admin re-derive any draw.

The draw is one write transaction. Its first statement is the conditional UPDATE that marks
the course drawn (`courses.storage.lottery.claim_draw`): it takes the course row's lock, so
registrations, cancellations and imports of the course wait, and of several workers racing
for one course exactly one gets the row; the others find it drawn and change nothing. Under
that lock the applications are read, drawn by the pure `courses.domain.lottery.draw` (with
the employer share when it applies at the draw), the winners confirmed (the seat counters
recounted from them; on an approval course held for their managers), the rest waitlisted in
drawn order, every mail written to the outbox (`courses.services.lottery.results`), and an audit
entry recorded with the seed, the applications, the caps and the drawn order, from which
`verify_draw` draws again and compares.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from courses.domain.courses import CourseRecord
from courses.domain.errors import DomainError
from courses.domain.lottery import Allocation, Application, DrawResult
from courses.domain.lottery import draw as draw_seats
from courses.domain.permissions import Actor
from courses.services.audit import record
from courses.services.context import ServiceContext
from courses.services.lottery.results import tell_drawn
from courses.services.permissions import course_missing, require_admin
from courses.services.seats.capacity import recount
from courses.services.seats.fair_seats import share_at_draw
from courses.storage import lottery
from courses.storage.audit import list_entries
from courses.storage.courses import load_course

__all__ = [
    "ACTION",
    "WORKER",
    "DrawOutcome",
    "NotALottery",
    "Verification",
    "draw",
    "run_due_draws",
    "verify_draw",
]

ACTION = "lottery.draw"
WORKER = Actor(label="lottningen (schemalagd)", superadmin=True)
"""Who the audit log names for a draw the worker ran on its day."""


class NotALottery(DomainError):
    code = "not-a-lottery"


@dataclass(frozen=True, slots=True)
class DrawOutcome:
    slug: str
    title: str
    drawn_now: bool
    """False: the course had been drawn already (by another worker, or earlier)."""
    drawn_at: datetime
    seed: int
    applications: int = 0
    seated: int = 0
    waitlisted: int = 0
    pending_approval: int = 0
    """Of the seated, those whose manager was asked (a course whose manager approves)."""


@dataclass(frozen=True, slots=True)
class Verification:
    slug: str
    seed: int
    applications: int
    seated: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


Progress = Callable[[str, int], None]
"""Told `("applications", n)` once the applications are read, `("mails", n)` before the mails
are written."""


def _caps(course: CourseRecord, share: dict[str, Any]) -> dict[str, Any]:
    """The caps the draw respects, as the audit entry records them; `share` is the fair-seat
    share's part (`courses.services.seats.fair_seats.share_at_draw`; entries from before it
    have none)."""
    return {
        "seats": course.seats_left,
        "formats": {str(f.id): f.seats_left for f in course.formats},
        **share,
    }


def _drawn(entries: list[dict[str, Any]], details: dict[str, Any]) -> DrawResult:
    caps = details["caps"]
    return draw_seats(
        [Application(e["id"], e["employer"], e["format"]) for e in entries],
        seed=int(details["seed"]),
        seats=caps["seats"],
        format_seats={int(k): v for k, v in caps["formats"].items()},
        per_employer=caps.get("per_employer"),
        held={int(k): n for k, n in caps.get("held", {}).items()},
    )


async def draw(
    ctx: ServiceContext,
    slug: str,
    *,
    actor: Actor,
    seed: int | None = None,
    progress: Progress | None = None,
) -> DrawOutcome:
    """Draw the course's seats now (also before its draw day), unless it was drawn already.

    Raises CourseNotFound (also for another organizer's course), Forbidden (not an admin) or
    NotALottery.
    """
    require_admin(actor)
    now = ctx.clock.now()
    # 53 bits: the seed stays exact as a JSON number in any program that reads the audit log.
    seed = secrets.randbits(53) if seed is None else seed
    async with ctx.db.write() as conn:
        course = await load_course(conn, slug)
        if course is None or not actor.administers(course.organizer_id):
            raise course_missing(slug)
        if course.allocation != Allocation.LOTTERY:
            raise NotALottery(
                f"Kursen {slug} lottar inte sina platser: där gäller först till kvarn "
                '(allocation = "first_come").'
            )
        if not await lottery.claim_draw(conn, course.id, seed=seed, now=now):
            found = (await lottery.draw_records(conn, [course.id])).get(course.id)
            if found is None:
                raise NotALottery(f"Kursen {slug} är inställd och lottas inte.")
            return DrawOutcome(slug, course.title, False, found.drawn_at, found.seed)
        # Read again under the lock the claim took: the counters are now exact.
        course = await load_course(conn, slug)
        assert course is not None
        entries = await lottery.applications(conn, course.id)
        if progress:
            progress("applications", len(entries))
        inputs = [{"id": e.id, "employer": e.employer_id, "format": e.format_id} for e in entries]
        share = await share_at_draw(conn, course, now=now, tz=ctx.tz)
        details: dict[str, Any] = {"seed": seed, "caps": _caps(course, share)}
        result = _drawn(inputs, details)
        await lottery.seat(conn, result.seated, now=now)
        before = await lottery.waitlist(conn, course.id, result.waitlist, now=now)
        await recount(conn, course.id)
        await lottery.record_counts(
            conn, course.id, applications=len(entries), seated=len(result.seated)
        )
        if progress:
            progress("mails", len(entries))
        pending = await tell_drawn(
            conn,
            course,
            result,
            waiting_before=before,
            secret_key=ctx.settings.secret_key,
            now=now,
            tz=ctx.tz,
        )
        await record(
            conn,
            actor,
            ACTION,
            at=now,
            summary=(
                f"Lottning: {len(result.seated)} av {len(entries)} sökande fick plats, "
                f"{len(result.waitlist)} på reservlistan (frö {seed})"
            ),
            organizer_id=course.organizer_id,
            course_slug=slug,
            details={
                **details,
                "applications": inputs,
                "order": list(result.order),
                "seated": list(result.seated),
                "pending_approval": pending,
            },
        )
    ctx.cache.forget_course(slug)
    ctx.mail_signal.notify()
    return DrawOutcome(
        slug,
        course.title,
        True,
        now,
        seed,
        applications=len(entries),
        seated=len(result.seated),
        waitlisted=len(result.waitlist),
        pending_approval=len(pending),
    )


async def verify_draw(ctx: ServiceContext, slug: str, *, actor: Actor) -> Verification:
    """Draw the course again from its audit entry (seed, applications, caps) and compare with
    the order and the seats recorded there, and the seed with the course's own.

    Raises CourseNotFound, Forbidden, or NotALottery when the course has not been drawn.
    """
    require_admin(actor)
    async with ctx.db.read() as conn:
        course = await load_course(conn, slug)
        if course is None or not actor.administers(course.organizer_id):
            raise course_missing(slug)
        stored = (await lottery.draw_records(conn, [course.id])).get(course.id)
        entries = await list_entries(
            conn, organizer_ids=None, course_slug=slug, action=ACTION, limit=2
        )
        if stored is None or not entries:
            raise NotALottery(f"Kursen {slug} har inte lottats.")
        details = entries[0].details
        recorded = {int(e["id"]): int(e["employer"]) for e in details["applications"]}
        stored_employers = await lottery.employers_of(conn, course.id, list(recorded))
    again = _drawn(details["applications"], details)
    problems = []
    if len(entries) > 1:
        problems.append("Granskningsloggen har mer än en lottning av kursen.")
    if int(details["seed"]) != stored.seed:
        problems.append(f"Fröet i loggen ({details['seed']}) är inte kursens ({stored.seed}).")
    if list(again.order) != details["order"]:
        problems.append("Dragningsordningen blir inte densamma med loggens frö.")
    if list(again.seated) != details["seated"]:
        problems.append("Platserna går inte till samma sökande med loggens frö.")
    if stored_employers != recorded:
        problems.append(
            "Ansökningarna i loggen är inte kursens anmälningar (id eller arbetsgivare skiljer)."
        )
    return Verification(
        slug,
        stored.seed,
        applications=len(details["applications"]),
        seated=len(details["seated"]),
        problems=problems,
    )


async def run_due_draws(ctx: ServiceContext) -> list[DrawOutcome]:
    """The worker's round: draw every lottery whose draw day has begun (local time)."""
    today = ctx.clock.now().astimezone(ctx.tz).date()
    async with ctx.db.read() as conn:
        slugs = await lottery.due_draws(conn, today=today)
    done = []
    for slug in slugs:
        try:
            outcome = await draw(ctx, slug, actor=WORKER)
        except DomainError:
            continue  # cancelled or changed since it was listed: nothing is due
        if outcome.drawn_now:
            done.append(outcome)
    return done
