"""A form as a page shows it again: what was typed, and its errors next to each field and in the
summary at the top, in the shape `templates/pages/macros.html` reads.

One class for every form of the pages: the registration form (public), the sign-in form
(staff) and the schedule import (admin). What each form checks is its own module's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FieldMessage", "FormState"]


@dataclass(frozen=True, slots=True)
class FieldMessage:
    field: str
    """The form field, or empty for the form as a whole."""
    text: str
    """Next to the field (and in the summary)."""
    summary: str
    """In the error summary at the top, where the field's label must be said too."""


@dataclass(slots=True)
class FormState:
    values: dict[str, str] = field(default_factory=dict)
    messages: list[FieldMessage] = field(default_factory=list)
    fields: tuple[str, ...] = ()
    """The form's fields in the order the page shows them, for the summary; without them the
    summary keeps the order the errors were added in."""

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> str:
        return next((m.text for m in self.messages if m.field == name), "")

    def add(self, name: str, text: str, summary: str | None = None) -> None:
        """An error next to field `name` (empty: the form as a whole); `summary` where the
        summary must say more than the field's own message, such as the field's label."""
        self.messages.append(FieldMessage(name, text, summary or text))

    @property
    def has_errors(self) -> bool:
        return bool(self.messages)

    @property
    def summary(self) -> list[FieldMessage]:
        """The errors in the order of the fields on the page, the form's own first."""
        order = {name: index for index, name in enumerate(self.fields)}
        return sorted(self.messages, key=lambda m: order.get(m.field, -1))

    @classmethod
    def of(cls, form: Mapping[str, Any], fields: tuple[str, ...]) -> FormState:
        """What was typed into `fields`, exactly (shown again as typed); a field sent twice
        counts once, and anything but text (a file) counts as empty."""
        values = {}
        for name in fields:
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
        return cls(values=values, fields=fields)
