"""The attendee list as a sheet for CSV and XLSX: Swedish headers, one row per registration."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from courses.domain.rules import swedish_date
from courses.export import Cell, Sheet
from courses.services.attendance.attendees import AttendeeList, AttendeeRow
from courses.services.attendance.wording import STATUS_WORDS

__all__ = ["MANAGER_COLUMN", "STATUS_WORDS", "attendee_sheet", "file_name"]

_ATTENDED = {True: "Närvarande", False: "Frånvarande"}
_COLUMNS = (
    "Namn",
    "E-post",
    "Telefon",
    "Arbetsgivare",
    "Arbetsplats",
    "Format",
    "Status",
    "Plats på reservlistan",
    "Anmäld",
)
MANAGER_COLUMN = "Chef (godkänner)"
"""After `Arbetsplats`, on a course whose manager approves each registration."""
_MANAGER_AFTER = _COLUMNS.index("Arbetsplats") + 1


def file_name(listing: AttendeeList, extension: str) -> str:
    """`deltagare-asi-grund-2022.xlsx`: the slug is already safe in a header."""
    return f"deltagare-{listing.course.slug}.{extension}"


def attendee_sheet(listing: AttendeeList) -> Sheet:
    sessions = sorted(listing.course.sessions, key=lambda s: s.position)
    columns: list[str] = list(_COLUMNS)
    if listing.asks_manager:
        columns.insert(_MANAGER_AFTER, MANAGER_COLUMN)
    columns += [f"Närvaro dag {s.position} ({swedish_date(s.day)})" for s in sessions]
    positions = [s.position for s in sessions]
    return Sheet(
        title=listing.course.title,
        columns=columns,
        rows=_rows(listing.rows, positions, manager=listing.asks_manager),
    )


def _rows(
    rows: Sequence[AttendeeRow], positions: list[int], *, manager: bool
) -> Iterator[Sequence[Cell]]:
    for row in rows:
        cells: list[Cell] = [
            row.name,
            row.email,
            row.phone,
            row.employer,
            row.workplace,
            row.format_label,
            row.status_text or STATUS_WORDS[row.status],
            row.waitlist_position,
            row.registered_at,
        ]
        if manager:
            # Text the registrant typed, like the others: the builders neutralise it.
            cells.insert(_MANAGER_AFTER, row.manager_email or "")
        cells += [
            _ATTENDED.get(row.attendance[p], "") if p in row.attendance else "" for p in positions
        ]
        yield cells
