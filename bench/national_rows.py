"""The rows of the national data set beside what the import writes: one registration's sent
mails, one course's audit history, and who holds which status (`national_data.py` writes them).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from national_schedule import course_slug, organizer_key


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def statuses(kind: str, count: int, past: bool, rng: random.Random) -> list[str]:
    if kind in ("fair", "lottery") and (past or kind == "fair"):
        return ["confirmed" if q < 40 else "waitlisted" for q in range(count)]
    if kind == "lottery":
        return ["applied"] * count
    out = []
    for _ in range(count):
        r = rng.random()
        if kind == "approval" and not past and r < 0.5:
            out.append("pending_approval")
        else:
            out.append("confirmed" if r < 0.85 else "waitlisted" if r < 0.93 else "cancelled")
    return out


def mails(reg_id: int, status: str, created: datetime, past: bool) -> Iterator[dict[str, Any]]:
    """The outbox history of one registration: its notice and invites, a reminder."""
    kinds: list[tuple[str, dict[str, Any], int | None, str | None]] = []
    if status == "confirmed":
        kinds.append(("confirmed", {"parts": [1, 2, 3]}, None, None))
        kinds += [("confirmed", {"parts": [1, 2, 3]}, p, "REQUEST") for p in (1, 2, 3)]
        if past:
            kinds.append(("reminder", {}, None, None))
    elif status == "waitlisted":
        kinds.append(("waitlisted", {"waitlist_position": reg_id % 9 + 1}, None, None))
    elif status == "cancelled":
        kinds.append(("confirmed", {"parts": [1, 2, 3]}, None, None))
        kinds.append(("cancelled", {"parts": [1, 2, 3]}, None, None))
        kinds += [("cancelled", {"parts": [1, 2, 3]}, p, "CANCEL") for p in (1, 2, 3)]
    elif status == "applied":
        kinds.append(("applied", {}, None, None))
    else:
        kinds.append(("awaiting_approval", {}, None, None))
        kinds.append(("approval_request", {}, None, None))
    for n, (kind, payload, part, method) in enumerate(kinds):
        at = created + timedelta(minutes=n)
        yield {
            "registration_id": reg_id,
            "kind": kind,
            "part": part,
            "method": method,
            "payload": payload,
            "message_id": hashlib.md5(f"{reg_id}-{n}".encode()).hexdigest(),
            "status": "sent",
            "attempts": 1,
            "available_at": at,
            "created_at": at,
            "sent_at": at + timedelta(seconds=2),
        }


@dataclass(slots=True)
class Course:
    id: int
    index: int
    formats: list[int]
    employers: list[int]
    organizer: int
    organizer_id: int


def audit(
    course: Course, day: date, past: bool, people: list[tuple[int, str, str, str]]
) -> Iterator[dict[str, Any]]:
    """The course's audit history: staff cancellations naming the person, and once the course
    is over the leader's attendance for each session (every mark in the details), an export."""
    organizer = organizer_key(course.organizer)
    base = {
        "organizer_id": course.organizer_id,
        "course_slug": course_slug(course.organizer, course.index),
    }
    admin = f"Admin Adminsson (admin@{organizer}.se)"
    for reg_id, status, name, email in people:
        if status == "cancelled" and reg_id % 3 == 0:
            yield {
                **base,
                "at": at(day - timedelta(days=20)),
                "actor": admin,
                "action": "registration.cancel",
                "summary": f"Avanmälde {name} ({email}).",
                "details": {"registration": reg_id, "reason": "Sjuk"},
            }
    if not past:
        return
    leader = f"ledare{course.index % 30}@{organizer}.se"
    confirmed = [reg_id for reg_id, status, _, _ in people if status == "confirmed"]
    for p in (1, 2, 3):
        marks = [{"registration": r, "session": p, "attended": (r + p) % 9 != 0} for r in confirmed]
        present = sum(m["attended"] for m in marks)
        absent = len(marks) - present
        yield {
            **base,
            "at": at(day + timedelta(days=7 * (p - 1)), 17),
            "actor": leader,
            "action": "attendance.mark",
            "summary": f"Markerade närvaro: {present} närvarande, {absent} frånvarande.",
            "details": {"marks": marks},
        }
    yield {
        **base,
        "at": at(day + timedelta(days=15)),
        "actor": admin,
        "action": "attendees.export",
        "summary": "Laddade ned deltagarlistan (CSV).",
        "details": {"format": "csv"},
    }
