"""A per-process cache of course definitions and employers for the registration hot path.

Registering reads a course's rules (deadline, formats, sessions) and the employer's domains on
every request, yet they change only when a schedule is imported. Caching them keeps the hot
path to one write transaction. Staleness is bounded:

- a course definition is checked in the write transaction itself: `take_place` returns the
  course's revision, and a mismatch makes the service reload and decide again;
- a refusal (closed, not eligible, unknown format) is always re-checked against fresh data
  before it is given, so a cached definition never turns a person away wrongly;
- employers are trusted for `ttl` seconds: an employer or domain removed by an import may
  still be accepted for that long.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from courses.domain.courses import CourseRecord
from courses.domain.employers import EmployerRecord
from courses.storage.courses import load_course
from courses.storage.db import Database
from courses.storage.employers import employer_by_key

__all__ = ["DefinitionCache"]


class DefinitionCache:
    def __init__(self, *, ttl: float = 30.0, monotonic: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._monotonic = monotonic
        self._courses: dict[str, tuple[float, CourseRecord]] = {}
        self._employers: dict[str, tuple[float, EmployerRecord | None]] = {}

    async def course(self, db: Database, slug: str, *, fresh: bool = False) -> CourseRecord | None:
        """The course's definition; counters in it are not current (read them under a lock)."""
        now = self._monotonic()
        hit = self._courses.get(slug)
        if hit is not None and not fresh and now - hit[0] < self._ttl:
            return hit[1]
        async with db.read() as conn:
            course = await load_course(conn, slug)
        if course is None:
            self._courses.pop(slug, None)
        else:
            self._courses[slug] = (now, course)
        return course

    async def employer(
        self, db: Database, key: str, *, fresh: bool = False
    ) -> EmployerRecord | None:
        now = self._monotonic()
        hit = self._employers.get(key)
        if hit is not None and not fresh and now - hit[0] < self._ttl:
            return hit[1]
        async with db.read() as conn:
            employer = await employer_by_key(conn, key)
        self._employers[key] = (now, employer)
        return employer

    def forget_employer(self, key: str) -> None:
        """Drop the employer from this process's cache (retired here: refused at once)."""
        self._employers.pop(key, None)

    def forget_course(self, slug: str) -> None:
        self._courses.pop(slug, None)
