"""Write a schedule back as a schedule file: the TOML `parse_schedule` reads.

The file is written by tomli-w, a well-kept TOML writer, never by string formatting: dates stay
TOML dates and times TOML times, and every string is quoted as TOML wants it. A key whose value
is its default (or nothing) is left out, as an admin would write the file; `status` is always
written, so the admin sees which courses are drafts.
"""

from __future__ import annotations

from typing import Any

import msgspec
import tomli_w

from courses.schedule.spec import Schedule

__all__ = ["dump_schedule", "schedule_document"]

# Keys written even when they hold their default value.
_ALWAYS = frozenset({"status"})


def schedule_document(schedule: Schedule) -> dict[str, Any]:
    """The file's tables as plain values (dates and times kept as `date` and `time`)."""
    document = _table(schedule)
    # A list of tables in TOML must not be empty ([[employer]] with no entry cannot be written).
    return {key: value for key, value in document.items() if value != []}


def dump_schedule(schedule: Schedule, *, heading: str | None = None) -> str:
    """The schedule as TOML; `heading` (lines of text) goes first, as comments."""
    text = tomli_w.dumps(schedule_document(schedule), multiline_strings=True)
    if heading is None:
        return text
    comments = "".join(f"# {line}".rstrip() + "\n" for line in heading.splitlines())
    return f"{comments}\n{text}"


def _table(spec: msgspec.Struct) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for field in msgspec.structs.fields(spec):
        value = getattr(spec, field.name)
        if value is None:
            continue
        if field.name not in _ALWAYS and value == _default(field):
            continue
        table[field.encode_name] = _value(value)
    return table


def _default(field: msgspec.structs.FieldInfo) -> Any:
    if field.default is not msgspec.NODEFAULT:
        return field.default
    if field.default_factory is not msgspec.NODEFAULT:
        return field.default_factory()
    return msgspec.NODEFAULT


def _value(value: Any) -> Any:
    if isinstance(value, msgspec.Struct):
        return _table(value)
    if isinstance(value, list):
        return [_value(item) for item in value]
    return value
