"""What `/admin` shows: an import's report grouped for reading, the audit log, and the schedule
file carried from the preview to its confirmation."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from courses.api.pages.wording import swedish_moment
from courses.domain.wording import one_line
from courses.schedule.load import Problem
from courses.services.audit import AuditRecord
from courses.services.schedule.importing import Action, ImportReport, ItemReport

__all__ = [
    "AuditLine",
    "ImportView",
    "carry",
    "problem_lines",
    "source_name",
    "uncarry",
]

_KINDS = {"organizer": "Arrangör", "employer": "Arbetsgivare", "course": "Kurs"}
_GROUPS = [
    (Action.CREATED, "Nya", "Läggs till"),
    (Action.CHANGED, "Ändrade", "Ändras"),
    (Action.UNCHANGED, "Oförändrade", "Oförändrade"),
]
_MAX_SOURCE = 120


def source_name(filename: str | None) -> str:
    """How the audit log names what was imported: the file's name, or the pasted text."""
    name = one_line(filename or "")[:_MAX_SOURCE]
    return name or "inklistrad text"


def carry(raw: bytes) -> str:
    """The file as a hidden form field: base64, so every byte and line ending survives."""
    return base64.b64encode(raw).decode("ascii")


def uncarry(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class ItemLine:
    kind: str
    key: str
    changes: list[str]


@dataclass(frozen=True, slots=True)
class ItemGroup:
    code: str
    heading: str
    items: list[ItemLine]


def _line(item: ItemReport) -> ItemLine:
    return ItemLine(kind=_KINDS.get(item.kind, item.kind), key=item.key, changes=item.changes)


@dataclass(frozen=True, slots=True)
class ImportView:
    dry_run: bool
    changed: bool
    groups: list[ItemGroup]
    promoted: int
    notified: int

    @classmethod
    def of(cls, report: ImportReport) -> ImportView:
        groups = []
        for action, past, future in _GROUPS:
            items = [_line(i) for i in report.items if i.action is action]
            if items:
                heading = future if report.dry_run else past
                groups.append(ItemGroup(action.value, f"{heading} ({len(items)})", items))
        return cls(
            dry_run=report.dry_run,
            changed=report.changed,
            groups=groups,
            promoted=report.promoted,
            notified=report.notified,
        )


def problem_lines(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: str
    actor: str
    summary: str
    course: str
    course_url: str

    @classmethod
    def of(cls, entry: AuditRecord, *, tz: ZoneInfo) -> AuditLine:
        slug = entry.course_slug or ""
        return cls(
            at=swedish_moment(entry.at, tz),
            actor=entry.actor,
            summary=entry.summary,
            course=slug,
            course_url=f"/kursledare/{slug}" if slug else "",
        )
