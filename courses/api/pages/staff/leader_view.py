"""What the leaders' pages show: their courses, a course's attendee list and attendance, and
the printable attendance sheet, built from the attendees service's results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from courses.api.pages.wording import (
    and_list,
    date_list,
    places,
    session_day,
    session_time,
    swedish_moment,
)
from courses.domain.courses import CourseRecord, SessionRecord
from courses.domain.rules import CourseStatus, RegistrationStatus, swedish_date
from courses.services.attendance.attendees import AttendeeList, AttendeeRow
from courses.services.attendance.wording import STATUS_WORDS

__all__ = ["CourseLine", "LeaderCourseView", "SheetView", "course_lines", "status_words"]


def status_words(status: RegistrationStatus) -> str:
    return STATUS_WORDS.get(status, status.value)


@dataclass(frozen=True, slots=True)
class CourseLine:
    title: str
    url: str
    dates: str
    where: str
    confirmed: int
    past: bool
    slug: str = ""
    draft: bool = False
    """Not published yet (`status = "draft"`): only staff see it."""


def course_lines(courses: list[CourseRecord], *, today: date) -> list[CourseLine]:
    lines = []
    for course in courses:
        days = [s.day for s in course.sessions] or [course.deadline]
        lines.append(
            CourseLine(
                title=course.title,
                url=f"/kursledare/{course.slug}",
                dates=date_list(days),
                where=places(course.formats),
                confirmed=course.confirmed_count,
                past=max(days) < today,
                slug=course.slug,
                draft=course.status is CourseStatus.DRAFT,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class SessionLine:
    position: int
    label: str
    """`Kursdag 2`"""
    when: str
    """`tisdag 5 april 2022, kl. 09.00–16.00`"""
    where: str


def _session_line(course: CourseRecord, session: SessionRecord) -> SessionLine:
    return SessionLine(
        position=session.position,
        label=f"Kursdag {session.position}",
        when=f"{session_day(session)}, {session_time(session)}",
        where=places(course.formats, session_place=session.place),
    )


@dataclass(frozen=True, slots=True)
class RowView:
    name: str
    email: str
    phone: str
    employer: str
    workplace: str
    format: str
    status: str
    status_code: str
    waitlist: str
    registered_at: str
    attendance: list[str]
    """Per session, in order: `Ja`, `Nej` or `–` (not marked)."""
    manager: str = ""
    """The manager who approves, on a course that asks for it."""
    registration_id: int = 0
    """For the admins' actions on the person (`attendee_actions`)."""


def _row(row: AttendeeRow, sessions: list[SessionLine], tz: ZoneInfo) -> RowView:
    marks = []
    for session in sessions:
        attended = row.attendance.get(session.position)
        marks.append("–" if attended is None else ("Ja" if attended else "Nej"))
    return RowView(
        name=row.name,
        email=row.email,
        phone=row.phone or "",
        employer=row.employer,
        workplace=row.workplace,
        format=row.format_label,
        status=row.status_text or status_words(row.status),
        status_code=row.status.value,
        waitlist=str(row.waitlist_position) if row.waitlist_position else "",
        registered_at=swedish_moment(row.registered_at, tz),
        attendance=marks,
        manager=row.manager_email or "",
        registration_id=row.registration_id,
    )


def _counts(by_status: dict[RegistrationStatus, int]) -> list[tuple[str, int]]:
    """The list's totals; offers and seats handed on only on a course that has them."""
    counts = [
        ("Bekräftade", by_status[RegistrationStatus.CONFIRMED]),
        ("Erbjuden plats, inte svarat än", by_status[RegistrationStatus.OFFERED]),
        ("På reservlistan", by_status[RegistrationStatus.WAITLISTED]),
        ("Avanmälda", by_status[RegistrationStatus.CANCELLED]),
        ("Överlåtna till en kollega", by_status[RegistrationStatus.TRANSFERRED]),
    ]
    rare = {"Erbjuden plats, inte svarat än", "Överlåtna till en kollega"}
    return [(label, n) for label, n in counts if n or label not in rare]


@dataclass(frozen=True, slots=True)
class Checkbox:
    registration_id: int
    name: str
    checked: bool


@dataclass(frozen=True, slots=True)
class AttendanceForm:
    session: SessionLine
    people: list[Checkbox]
    marked: bool
    """Whether anyone has been marked for this session yet."""


@dataclass(frozen=True, slots=True)
class LeaderCourseView:
    slug: str
    title: str
    url: str
    dates: str
    where: str
    deadline: str
    seats: str
    leaders: str
    sessions: list[SessionLine]
    counts: list[tuple[str, int]]
    rows: list[RowView]
    asks_manager: bool
    """The list has the column `Chef (godkänner)`."""
    forms: list[AttendanceForm]
    csv_url: str
    xlsx_url: str
    sheet_url: str
    public_url: str
    cancelled: bool = False
    several_formats: bool = False
    """Someone can be moved to another format (the admins' action on a row)."""

    @classmethod
    def of(cls, found: AttendeeList, *, tz: ZoneInfo) -> LeaderCourseView:
        course = found.course
        sessions = [_session_line(course, s) for s in course.sessions]
        by_status = {s: found.counts.get(s, 0) for s in RegistrationStatus}
        confirmed = found.confirmed
        days = [s.day for s in course.sessions] or [course.deadline]
        return cls(
            slug=course.slug,
            title=course.title,
            url=f"/kursledare/{course.slug}",
            dates=date_list(days),
            where=places(course.formats),
            deadline=swedish_date(course.deadline),
            seats=str(course.seats) if course.seats is not None else "Obegränsat",
            leaders=and_list([leader["name"] for leader in course.leaders]),
            sessions=sessions,
            counts=_counts(by_status),
            rows=[_row(r, sessions, tz) for r in found.rows],
            asks_manager=found.asks_manager,
            forms=[
                AttendanceForm(
                    session=s,
                    people=[
                        Checkbox(r.registration_id, r.name, r.attendance.get(s.position, False))
                        for r in confirmed
                    ],
                    marked=any(s.position in r.attendance for r in confirmed),
                )
                for s in sessions
            ],
            csv_url=f"/api/courses/{course.slug}/attendees.csv",
            xlsx_url=f"/api/courses/{course.slug}/attendees.xlsx",
            sheet_url=f"/kursledare/{course.slug}/narvarolista",
            public_url=f"/kurser/{course.slug}",
            cancelled=course.status is CourseStatus.CANCELLED,
            several_formats=len(course.formats) > 1,
        )


@dataclass(frozen=True, slots=True)
class SheetRow:
    name: str
    employer: str
    format: str


@dataclass(frozen=True, slots=True)
class SheetView:
    title: str
    course_url: str
    leaders: str
    sessions: list[SessionLine]
    rows: list[SheetRow]

    @classmethod
    def of(cls, found: AttendeeList, *, session: int | None) -> SheetView:
        course = found.course
        chosen = [s for s in course.sessions if session is None or s.position == session]
        return cls(
            title=course.title,
            course_url=f"/kursledare/{course.slug}",
            leaders=and_list([leader["name"] for leader in course.leaders]),
            sessions=[_session_line(course, s) for s in chosen],
            rows=[SheetRow(r.name, r.employer, r.format_label) for r in found.confirmed],
        )
