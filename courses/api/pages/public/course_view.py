"""What the catalogue and the course page show of a course: view models built from the catalogue
service's listings, in the organizer's time zone."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from courses.api.pages.public.wording import (
    StateView,
    format_label,
    seats_left,
    seats_phrase,
    state_view,
)
from courses.api.pages.views import LeaderView, SessionView
from courses.api.pages.wording import and_list, date_list, places, session_day, session_time
from courses.domain.courses import CourseRecord, FormatRecord
from courses.domain.fair_seats import share_line
from courses.domain.lottery import draw_note
from courses.domain.rules import RegistrationState, swedish_date
from courses.domain.wording import APPROVAL_NEEDED
from courses.schedule.demo import is_demo
from courses.services.catalogue.listing import CourseListing

__all__ = ["CourseCard", "CourseView", "FormatOption", "course_card", "share_applies"]


@dataclass(frozen=True, slots=True)
class FormatOption:
    key: str
    label: str
    note: str
    """Seats of this format when it has its own cap, e.g. `2 platser kvar`; else empty."""


@dataclass(frozen=True, slots=True)
class CourseCard:
    """A course as the catalogue lists it, less its state (which moves with the clock)."""

    slug: str
    title: str
    url: str
    demo: bool
    dates: str
    where: str
    leaders: str
    deadline: str
    first_day: date
    last_day: date
    months: frozenset[tuple[int, int]]
    digital: bool
    on_site: bool
    approval: str = ""
    """`Kräver chefens godkännande` where the manager approves; else empty."""
    lottery: str = ""
    """`Platserna lottas den 2 september` before a lottery's draw, else empty."""
    share: str = ""
    """Fair seats, e.g. `Högst 1 plats per arbetsgivare till och med 25 augusti`; else empty.
    `course_card` gives it whenever the course has a share; the pages show it only while the
    share applies (`share_applies`), so it moves with the clock like the state."""


def share_applies(course: CourseRecord, *, now: datetime, tz: ZoneInfo) -> bool:
    """Whether the course's fair-seat share still holds at `now` (its line is shown)."""
    share = course.share
    return share is not None and share.applies(now, tz)


def course_card(course: CourseRecord) -> CourseCard:
    days = [s.day for s in course.sessions] or [course.deadline]
    return CourseCard(
        slug=course.slug,
        title=course.title,
        url=f"/kurser/{course.slug}",
        demo=is_demo(course.slug),
        dates=date_list(days),
        where=places(course.formats),
        leaders=and_list([leader["name"] for leader in course.leaders]),
        deadline=swedish_date(course.deadline),
        first_day=min(days),
        last_day=max(days),
        months=frozenset((d.year, d.month) for d in days),
        digital=any(f.digital for f in course.formats),
        on_site=any(not f.digital for f in course.formats),
        approval=APPROVAL_NEEDED if course.needs_approval else "",
        lottery=draw_note(
            allocation=course.allocation,
            draw_on=course.draw_on,
            drawn_at=course.drawn_at,
            deadline=course.deadline,
        ),
        share=share_line(course.share) if course.share is not None else "",
    )


@dataclass(frozen=True, slots=True)
class CourseView:
    """A course as its own page shows it, with what its registration form offers."""

    card: CourseCard
    state: StateView
    paragraphs: list[str]
    sessions: list[SessionView]
    leaders: list[LeaderView]
    seats: str
    info_url: str | None
    formats: list[FormatOption]
    calendar_url: str

    @classmethod
    def of(cls, listing: CourseListing, *, now: datetime, tz: ZoneInfo) -> CourseView:
        course = listing.course
        card = course_card(course)
        if not share_applies(course, now=now, tz=tz):
            card = replace(card, share="")
        return cls(
            card=card,
            state=state_view(course, listing.state, now=now, tz=tz),
            paragraphs=_paragraphs(course.description),
            sessions=[
                SessionView(
                    day=session_day(s),
                    time=session_time(s),
                    where=places(course.formats, session_place=s.place),
                )
                for s in course.sessions
            ],
            leaders=[LeaderView(x["name"], x.get("email")) for x in course.leaders],
            seats=_seats(course, open_now=listing.state in _TAKING),
            info_url=course.info_url,
            formats=[_option(f) for f in course.formats] if len(course.formats) > 1 else [],
            calendar_url=f"/api/courses/{course.slug}/calendar.ics",
        )


def _paragraphs(text: str | None) -> list[str]:
    if not text:
        return []
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


_TAKING = (RegistrationState.OPEN, RegistrationState.WAITLIST)


def _seats(course: CourseRecord, *, open_now: bool) -> str:
    left = seats_left(course)
    if left is None:
        return ""
    cap = course.seats
    if cap is None:
        cap = sum(f.seats or 0 for f in course.formats)
    if not open_now:
        return f"Högst {cap} deltagare."
    if left == 0:
        return f"Alla {cap} platser är tagna."
    free = "1 ledig" if left == 1 else f"{left} lediga"
    return f"{cap} platser, varav {free}."


def _option(fmt: FormatRecord) -> FormatOption:
    left = fmt.seats_left
    if left is None:
        note = ""
    elif left == 0:
        note = "fullbokat, reservlista"
    else:
        note = seats_phrase(left)
    return FormatOption(key=fmt.key, label=format_label(fmt), note=note)
