"""The course editor's form: every field of a schedule entry as text boxes, with rows of
leaders, formats and sessions that are added by a button and removed by a checkbox (no
JavaScript), turned into the entry's JSON form for `parse_entry`, and errors placed as the
entry places them (`session[2].end`) moved to their fields (`session-2-end`)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import msgspec

from courses.api.pages.forms import FormState
from courses.domain.errors import FieldError
from courses.schedule.load import OFFER_UNTIL_WITHOUT_OFFER
from courses.schedule.spec import CourseSpec

__all__ = [
    "ROWS",
    "CourseFormData",
    "entry_document",
    "fingerprint",
    "form_of",
    "place_errors",
    "read_form",
]

TOP = (
    "slug",
    "title",
    "description",
    "status",
    "opens",
    "deadline",
    "seats",
    "waitlist",
    "info_url",
    "per_employer",
    "share_until",
    "allocation",
    "draw",
    "approval",
    "approval_days",
    "offer_hours",
    "offer_until_hours",
)
ROWS = {
    "leader": ("name", "email"),
    "format": ("key", "kind", "place", "seats", "meeting_url"),
    "session": ("date", "start", "end", "place"),
}
"""The rows of the form: their fields (the entry's keys), `leader-2-email`."""
_LISTS = {"leader": "leaders", "format": "format", "session": "session"}
_NUMBERS = {"seats", "per_employer", "approval_days", "offer_hours", "offer_until_hours"}
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
REMOVE = "ta-bort"
_MAX_ROWS = 60


@dataclass(slots=True)
class CourseFormData:
    """The form as typed: its values (FormState) and how many rows of each kind it shows."""

    state: FormState
    rows: dict[str, int]

    def names(self, kind: str) -> list[list[str]]:
        """Each row's field names, `session-1-date` ..."""
        return [[f"{kind}-{n}-{f}" for f in ROWS[kind]] for n in range(1, self.rows[kind] + 1)]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "ja" if value else "nej"
    return str(value)


def form_of(entry: CourseSpec | None) -> CourseFormData:
    """The form of a stored entry, or an empty one (one row of each)."""
    values: dict[str, str] = {"status": "draft", "waitlist": "ja", "allocation": "first_come"}
    rows = {"leader": 1, "format": 1, "session": 1}
    if entry is not None:
        raw = msgspec.to_builtins(entry, builtin_types=(date, time))
        values = {name: _text(raw.get(name)) for name in TOP if name != "approval"}
        values["approval"] = "ja" if entry.approval else ""
        values["approval_days"] = _text(entry.approval_days) if entry.approval else ""
        for kind, key in _LISTS.items():
            items = raw.get(key) or []
            rows[kind] = max(len(items), 1)
            for n, item in enumerate(items, start=1):
                for name in ROWS[kind]:
                    values[f"{kind}-{n}-{name}"] = _text(item.get(name))
    state = FormState(values=values, fields=_order(rows))
    return CourseFormData(state, rows)


def _order(rows: Mapping[str, int]) -> tuple[str, ...]:
    names = list(TOP)
    for kind in ROWS:
        names += [f"{kind}-{n}-{f}" for n in range(1, rows[kind] + 1) for f in ROWS[kind]]
    return tuple(names)


def read_form(form: Mapping[str, Any], *, add: str | None = None) -> CourseFormData:
    """The form as posted, less the rows marked for removal, plus an empty row of `add`."""
    values: dict[str, str] = {}
    for name in TOP:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    rows: dict[str, int] = {}
    for kind, fields in ROWS.items():
        count = _count(form.get(f"{kind}-rader"))
        kept = 0
        for n in range(1, count + 1):
            if form.get(f"{kind}-{n}-{REMOVE}"):
                continue
            typed = {f: form.get(f"{kind}-{n}-{f}") for f in fields}
            kept += 1
            for f, value in typed.items():
                values[f"{kind}-{kept}-{f}"] = value.strip() if isinstance(value, str) else ""
        if add == kind and kept < _MAX_ROWS:
            kept += 1
        # A course has at least one format and one session: an empty row to fill in.
        rows[kind] = max(kept, 0 if kind == "leader" else 1)
    return CourseFormData(FormState(values=values, fields=_order(rows)), rows)


def _count(value: object) -> int:
    if isinstance(value, str) and value.isdigit():
        return min(int(value), _MAX_ROWS)
    return 0


def entry_document(data: CourseFormData) -> dict[str, Any]:
    """The entry's JSON form of what was typed: empty boxes are left out, whole numbers and
    clock times (`9:00`, `09.00`) read as such; `parse_entry` judges the rest."""
    values = data.state.values
    document: dict[str, Any] = {}
    for name in TOP:
        value = values.get(name, "")
        if not value or name == "approval":
            continue
        if name == "waitlist":
            document[name] = value != "nej"
        elif name in _NUMBERS:
            document[name] = int(value) if value.isdigit() else value
        else:
            document[name] = value
    if values.get("approval"):
        document["approval"] = "manager"
    else:
        document.pop("approval_days", None)
    for kind, key in _LISTS.items():
        items = []
        for n in range(1, data.rows[kind] + 1):
            item: dict[str, Any] = {}
            for f in ROWS[kind]:
                value = values.get(f"{kind}-{n}-{f}", "")
                if not value:
                    continue
                if f in _NUMBERS:
                    item[f] = int(value) if value.isdigit() else value
                elif f in ("start", "end") and (found := _TIME.match(value)):
                    item[f] = f"{int(found[1]):02d}:{found[2]}:00"
                else:
                    item[f] = value
            if item or kind != "leader":
                items.append(item)
        document[key] = items
    return document


_LABELS = {
    "slug": "Kursens adress (slug)",
    "title": "Titel",
    "description": "Beskrivning",
    "status": "Status",
    "opens": "Anmälan öppnar",
    "deadline": "Sista anmälningsdag",
    "seats": "Platser",
    "waitlist": "Reservlista",
    "info_url": "Informationslänk",
    "per_employer": "Platser per arbetsgivare",
    "share_until": "Fördelning per arbetsgivare till och med",
    "allocation": "Fördelning",
    "draw": "Lottningsdag",
    "approval": "Chefens godkännande",
    "approval_days": "Dagar för chefen att svara",
    "offer_hours": "Timmar att svara på en erbjuden plats",
    "offer_until_hours": "Sista timmarna före kursstart",
    "name": "namn",
    "email": "e-post",
    "key": "nyckel",
    "kind": "typ",
    "place": "plats",
    "meeting_url": "möteslänk",
    "date": "datum",
    "start": "start",
    "end": "slut",
}
# The file's wording of a rule names the file's keys; the form names its own fields.
_FORM_MESSAGES = {
    OFFER_UNTIL_WITHOUT_OFFER: "Gäller bara när timmarna att svara på en erbjuden plats är fler "
    "än 0. Ange timmar att svara, eller lämna fältet tomt.",
}
_ROW_LABELS = {"leader": "Kursledare", "format": "Format", "session": "Kursdag"}
_PLACE = re.compile(r"^(leaders|format|session)(?:\[(\d+)\])?(?:\.(\w+))?")


def place_errors(data: CourseFormData, errors: list[FieldError]) -> None:
    """Put each of the entry's errors next to its field, the summary naming the field."""
    kinds = {v: k for k, v in _LISTS.items()}
    for error in errors:
        found = _PLACE.match(error.field)
        if found is None:
            name = error.field.split(".", 1)[0].split("[", 1)[0]
            name = name if name in TOP else ""
            label = _LABELS.get(name, "")
            message = _FORM_MESSAGES.get(error.message, error.message)
            data.state.add(name, message, f"{label}: {message}" if label else None)
            continue
        kind, row, field = kinds[found[1]], int(found[2] or 1), found[3] or ""
        if data.rows[kind] == 0:  # no row to put it next to
            data.state.add("", f"{_ROW_LABELS[kind]}: {error.message}")
            continue
        if field not in ROWS[kind]:
            field = "start" if kind == "session" and found[2] else ROWS[kind][0]
        name = f"{kind}-{min(row, data.rows[kind])}-{field}"
        label = f"{_ROW_LABELS[kind]} {row}, {_LABELS[field]}"
        data.state.add(name, error.message, f"{label}: {error.message}")


def fingerprint(entry: CourseSpec) -> str:
    """What was previewed: applying is refused (previewed again) when the form changed since."""
    return hashlib.sha256(msgspec.json.encode(entry)).hexdigest()[:32]
