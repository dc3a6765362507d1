"""The lists on `/admin` that grow with the organizer: its courses (by month and state), the
mail that has not gone out, and the audit log, each a page at a time by its own GET
parameters (`sida`, `mejlsida`, `loggsida`), so the three page independently and without
JavaScript. What cannot be read is left out: the filter shows everything, the page is the first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from courses.api.pages.admin.admin_view import AuditLine
from courses.api.pages.admin.office import MailLine
from courses.api.pages.paging import PAGE_SIZE, Pager, first_page_if_past_end, window_of
from courses.api.pages.public.wording import month_label
from courses.api.pages.staff.leader_view import course_lines
from courses.domain.paging import Window, month_span
from courses.domain.permissions import Actor
from courses.domain.rules import RegistrationState
from courses.services.audit import audit_page
from courses.services.catalogue.staff_listing import DRAFT, admin_course_page
from courses.services.context import ServiceContext
from courses.services.outbox.mail_admin import unsent_mail_page

__all__ = ["COURSES_PER_PAGE", "CourseFilters", "admin_lists"]

COURSES_PER_PAGE = 50
MAILS_PER_PAGE = 50
AUDIT_PER_PAGE = 50

STATES = {
    DRAFT: "Utkast",
    RegistrationState.OPEN.value: "Öppen för anmälan",
    RegistrationState.WAITLIST.value: "Fullbokad, reservlista",
    RegistrationState.NOT_YET_OPEN.value: "Öppnar senare",
    RegistrationState.CLOSED.value: "Anmälan stängd",
    RegistrationState.CANCELLED.value: "Inställd",
}

_KEPT = ("manad", "lage", "sida", "mejlsida", "loggsida", PAGE_SIZE)
"""What the lists' links carry on (not, say, the notice of a mail just sent again)."""


@dataclass(frozen=True, slots=True)
class CourseFilters:
    """The course list's filters as asked for (`manad`, `lage`); unreadable ones left out."""

    month: str = ""
    state: str = ""

    @classmethod
    def parse(cls, query: Mapping[str, Any]) -> CourseFilters:
        month = query.get("manad")
        state = query.get("lage")
        return cls(
            month=month if isinstance(month, str) and month_span(month) else "",
            state=state if isinstance(state, str) and state in STATES else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.month or self.state)

    def months(self, today: date) -> list[tuple[str, str]]:
        """The months to choose from: last year's to next year's (and the one chosen)."""
        values = [
            f"{y:04d}-{m:02d}" for y in range(today.year - 1, today.year + 2) for m in range(1, 13)
        ]
        if self.month and self.month not in values:
            values = sorted([*values, self.month])
        return [(v, month_label(int(v[:4]), int(v[5:])).capitalize()) for v in values]


async def admin_lists(
    ctx: ServiceContext, actor: Actor, query: Mapping[str, Any]
) -> dict[str, Any]:
    """The three lists' template context for the page `query` asks for."""
    today = ctx.clock.now().astimezone(ctx.tz).date()
    query = {k: v for k, v in query.items() if k in _KEPT}
    filters = CourseFilters.parse(query)
    state = filters.state or None

    async def courses(window: Window) -> Any:
        return await admin_course_page(
            ctx, actor, window, month=month_span(filters.month), state=state
        )

    async def mails(window: Window) -> Any:
        return await unsent_mail_page(ctx, actor, window)

    async def audit(window: Window) -> Any:
        return await audit_page(ctx, actor, window)

    course_page = await first_page_if_past_end(
        courses, window_of(query, "sida", size=COURSES_PER_PAGE)
    )
    mail_page = await first_page_if_past_end(
        mails, window_of(query, "mejlsida", size=MAILS_PER_PAGE)
    )
    audit_entries = await first_page_if_past_end(
        audit, window_of(query, "loggsida", size=AUDIT_PER_PAGE)
    )
    return {
        "courses": course_lines(list(course_page.items), today=today),
        "course_filters": filters,
        "course_months": filters.months(today),
        "course_states": STATES,
        "course_total": course_page.total,
        "course_pager": Pager.of(
            course_page,
            query,
            name="sida",
            path="/admin",
            anchor="kurser",
            label="Sidor i kurslistan",
        ),
        "mails": [MailLine.of(m, tz=ctx.tz) for m in mail_page.items],
        "mail_pager": Pager.of(
            mail_page,
            query,
            name="mejlsida",
            path="/admin",
            anchor="mejl",
            label="Sidor i mejllistan",
        ),
        "audit": [AuditLine.of(e, tz=ctx.tz) for e in audit_entries.items],
        "audit_pager": Pager.of(
            audit_entries,
            query,
            name="loggsida",
            path="/admin",
            anchor="logg",
            label="Sidor i loggen",
        ),
    }
