"""What /admin shows besides the import and the lists (courses.api.pages.admin.lists): how an
unsent mail reads, statistics per course and per employer, and the organizer's employers.
View models only; the data comes from the same services as the /api/admin routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from courses.api.pages.wording import swedish_moment
from courses.domain.fair_seats import share_line
from courses.domain.permissions import Actor
from courses.services.context import ServiceContext
from courses.services.outbox.mail_admin import MailRow
from courses.services.schedule.employers import list_employers_for_admin
from courses.services.statistics import CourseCounts, Statistics, statistics

__all__ = ["MailLine", "office_context"]

_KINDS = {
    "confirmed": "Bekräftelse",
    "waitlisted": "Reservlista",
    "promoted": "Fått plats",
    "cancelled": "Avanmälan",
    "already_registered": "Redan anmäld",
    "course_changed": "Ändrad kurs",
    "course_cancelled": "Inställd kurs",
    "reminder": "Påminnelse",
    "sign_in": "Inloggningslänk",
    "applied": "Ansökan mottagen",
    "awaiting_approval": "Väntar på chefen",
    "approved": "Godkänd av chefen",
    "declined": "Avslagen av chefen",
    "approval_expired": "Chefen svarade inte",
    "approval_request": "Fråga till chefen",
    "approval_reminder": "Påminnelse till chefen",
    "approval_withdrawn": "Besked till chefen",
    "format_changed": "Nytt sätt att delta",
    "message": "Meddelande från kursledaren",
    "my_registrations": "Lista över anmälningar",
    "offered": "Erbjuden plats",
    "offer_lapsed": "Erbjudandet gick ut",
    "offer_gone": "Platsen gick till någon annan",
    "offer_declined": "Tackade nej till platsen",
    "transferred_in": "Övertagen plats",
    "transferred_out": "Överlåten plats",
}
_STATUSES = {"pending": "Väntar", "sending": "Skickas", "failed": "Misslyckades"}


@dataclass(frozen=True, slots=True)
class MailLine:
    id: int
    kind: str
    recipient: str
    status: str
    failed: bool
    attempts: int
    error: str
    queued: str
    course: str | None

    @classmethod
    def of(cls, row: MailRow, *, tz: ZoneInfo) -> MailLine:
        return cls(
            id=row.id,
            kind=_KINDS.get(row.kind, row.kind),
            recipient=row.recipient,
            status=_STATUSES.get(row.status.value, row.status.value),
            failed=row.status.value == "failed",
            attempts=row.attempts,
            error=row.last_error or "",
            queued=swedish_moment(row.created_at, tz),
            course=row.course_slug,
        )


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "–"


def _share(course: CourseCounts) -> str:
    """The fair-seat cap on the course's row, or nothing for a course without one."""
    share = Statistics.share(course)
    return share_line(share) if share is not None else ""


async def office_context(ctx: ServiceContext, actor: Actor) -> dict[str, Any]:
    stats: Statistics = await statistics(ctx, actor)
    employers = await list_employers_for_admin(ctx, actor)
    held_total = sum(e.held for e in stats.employers)
    return {
        "course_stats": [
            {"c": c, "seats_left": Statistics.seats_left(c), "share": _share(c)}
            for c in stats.courses
        ],
        "employer_stats": [
            {"e": e, "share": _percent(e.held, held_total)} for e in stats.employers
        ],
        "employers": employers,
        "draws": [
            {
                "slug": c.slug,
                "title": c.title,
                "at": swedish_moment(draw.drawn_at, ctx.tz),
                "seed": draw.seed,
                "applications": draw.applications,
                "seated": draw.seated,
                "waitlisted": draw.waitlisted,
            }
            for c in stats.courses
            if (draw := stats.draws.get(c.slug)) is not None
        ],
    }
