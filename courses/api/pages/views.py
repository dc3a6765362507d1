"""View models that several audiences' pages show alike: a course's leaders and its sessions
(on the course page, the registrant's page and the manager's approval page), and a
registration's sessions, the same for the registrant and their manager."""

from __future__ import annotations

from dataclasses import dataclass

from courses.api.pages.wording import session_day, session_time
from courses.domain.courses import CourseRecord, FormatRecord

__all__ = ["LeaderView", "SessionView", "registration_sessions"]


@dataclass(frozen=True, slots=True)
class LeaderView:
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class SessionView:
    day: str
    time: str
    where: str


def registration_sessions(course: CourseRecord, fmt: FormatRecord | None) -> list[SessionView]:
    """The course's sessions where the registrant takes part: digitally in the digital format,
    else at the session's place, the format's, or "Meddelas senare" while neither is known."""
    digital = fmt is not None and fmt.digital
    return [
        SessionView(
            day=session_day(s),
            time=session_time(s),
            where="Digitalt"
            if digital
            else (s.place or (fmt.place if fmt else None) or "Meddelas senare"),
        )
        for s in course.sessions
    ]
