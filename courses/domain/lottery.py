"""The lottery's draw as a pure function: who gets a seat, and the order of the rest.

Standard library only, so that an admin (or a test) can re-derive any draw from its recorded
seed and applications. The applications are shuffled with `random.Random(seed)` (the Mersenne
Twister's shuffle of an integer seed is the same in every CPython since 3.2), then the seats
go round the employers in drawn order: every employer in a round gets at most one seat, its
first applicant in drawn order whose format still has room, before any employer gets a
further one. So no employer gets a second seat while an applicant of an employer with none
could still have one within their format's cap. Whoever gets no seat is on the waitlist, in
drawn order.
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from courses.domain.rules import swedish_month
from courses.domain.timing import local_midnight

__all__ = [
    "Allocation",
    "Application",
    "DrawResult",
    "default_draw_day",
    "draw",
    "draw_due_at",
    "draw_note",
    "draw_words",
]


class Allocation(StrEnum):
    """How a course hands out its seats."""

    FIRST_COME = "first_come"
    LOTTERY = "lottery"


def default_draw_day(deadline: date) -> date:
    """Without a `draw` day, the lottery is drawn the day after the deadline (at its start:
    the moment registration closes)."""
    return deadline + timedelta(days=1)


def draw_due_at(day: date, tz: ZoneInfo) -> datetime:
    """The draw is due at the start of its day, local time (DST-safe)."""
    return local_midnight(day, tz)


def draw_note(
    *, allocation: str, draw_on: date | None, drawn_at: datetime | None, deadline: date
) -> str:
    """`Platserna lottas den 2 september` for a lottery not yet drawn; empty otherwise (after
    the draw a lottery course is first come, first served)."""
    if allocation != Allocation.LOTTERY.value or drawn_at is not None:
        return ""
    return f"Platserna lottas den {draw_words(draw_on or default_draw_day(deadline))}"


def draw_words(day: date) -> str:
    """`2 september`: the draw's day as the pages and mails name it."""
    return f"{day.day} {swedish_month(day.month)}"


@dataclass(frozen=True, slots=True)
class Application:
    """One application as the draw sees it: its id, the employer and the format it is for."""

    id: int
    employer: Hashable
    format: Hashable


@dataclass(frozen=True, slots=True)
class DrawResult:
    order: tuple[int, ...]
    """Every application id in drawn (shuffled) order."""
    seated: tuple[int, ...]
    """The ids that get a seat, in the order the seats were handed out."""
    waitlist: tuple[int, ...]
    """The others, in drawn order: the waitlist's order."""


def draw(
    applications: Iterable[Application],
    *,
    seed: int,
    seats: int | None,
    format_seats: Mapping[Hashable, int | None] | None = None,
    per_employer: int | None = None,
    held: Mapping[Hashable, int] | None = None,
) -> DrawResult:
    """Draw the seats among `applications`.

    `seats` is the course's free seats (None: no cap), `format_seats` each format's free seats
    (a format missing or None: no cap of its own), `per_employer` the most seats one employer
    may get (None: no limit; fair seats, `per_employer = N`, when a course has both), `held`
    the seats each employer holds already (registered before the course became a lottery),
    which count against `per_employer`. The
    applications are put in id order first, so the result depends only on which applications
    there are and on `seed`.
    """
    ordered = sorted(applications, key=lambda a: a.id)
    if len({a.id for a in ordered}) != len(ordered):
        raise ValueError("application ids must be unique")
    shuffled = list(ordered)
    # Reproducible on purpose: the seed (from `secrets`) is what is secret and recorded.
    random.Random(seed).shuffle(shuffled)  # noqa: S311

    room: dict[Hashable, int | None] = dict(format_seats or {})
    course_left = seats
    # Each employer's applicants in drawn order, employers in the order they were first drawn.
    queues: dict[Hashable, list[Application]] = {}
    for application in shuffled:
        queues.setdefault(application.employer, []).append(application)

    def fits(application: Application) -> bool:
        left = room.get(application.format)
        return left is None or left > 0

    seated: list[int] = []
    taken: dict[Hashable, int] = dict(held or {})
    active = list(queues)
    while active and (course_left is None or course_left > 0):
        still: list[Hashable] = []
        for employer in active:
            if course_left is not None and course_left <= 0:
                break
            if per_employer is not None and taken.get(employer, 0) >= per_employer:
                continue
            queue = queues[employer]
            # A format never gains room during a draw: an applicant whose format is full now
            # can never be seated, so they leave the employer's queue for good.
            queue[:] = [a for a in queue if fits(a)]
            if not queue:
                continue
            chosen = queue.pop(0)
            seated.append(chosen.id)
            taken[employer] = taken.get(employer, 0) + 1
            if course_left is not None:
                course_left -= 1
            left = room.get(chosen.format)
            if left is not None:
                room[chosen.format] = left - 1
            if queue:
                still.append(employer)
        active = still

    won = set(seated)
    return DrawResult(
        order=tuple(a.id for a in shuffled),
        seated=tuple(seated),
        waitlist=tuple(a.id for a in shuffled if a.id not in won),
    )
