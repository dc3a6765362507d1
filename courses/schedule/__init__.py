"""The schedule file an admin writes: TOML, validated whole before anything is written."""

from courses.schedule.load import ScheduleError, load_schedule, parse_schedule
from courses.schedule.spec import (
    CourseSpec,
    EmployerSpec,
    FormatSpec,
    LeaderSpec,
    Schedule,
    SessionSpec,
)

__all__ = [
    "CourseSpec",
    "EmployerSpec",
    "FormatSpec",
    "LeaderSpec",
    "Schedule",
    "ScheduleError",
    "SessionSpec",
    "load_schedule",
    "parse_schedule",
]
