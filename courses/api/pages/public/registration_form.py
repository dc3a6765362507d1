"""The registration form: what was typed, checked by the API's own rules, and its errors.

One source for the rules and their wording: the form is turned into the API's body and checked
with `courses.validation.all_errors` against `RegistrationForm` (worded by `field_message`, as the
API words it); what only the service can decide (eligibility, format, already registered)
comes back as the domain's errors, which name their field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from courses.api.http.problems import field_message
from courses.domain.errors import AlreadyRegistered, DomainError, InvalidInput, NotEligible
from courses.services.registration.register import RegistrationForm
from courses.validation import all_errors

__all__ = ["CONFIRMED", "FIELDS", "FieldMessage", "FormState", "parse_form"]

FIELDS = (
    "name",
    "email",
    "employer",
    "workplace",
    "manager_email",
    "format",
    "phone",
    "message",
    "works_in_field",
)
CONFIRMED = "ja"
"""The value of the checked works-in-field box."""

LABELS = {
    "name": "Namn",
    "email": "E-postadress i tjänsten",
    "employer": "Arbetsgivare",
    "workplace": "Arbetsplats",
    "manager_email": "Din chefs e-postadress",
    "format": "Hur vill du delta?",
    "phone": "Telefonnummer",
    "message": "Meddelande till kursledaren",
    "works_in_field": "Arbetar med missbruks- och beroendevård",
}


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

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> str:
        return next((m.text for m in self.messages if m.field == name), "")

    @property
    def has_errors(self) -> bool:
        return bool(self.messages)

    @property
    def summary(self) -> list[FieldMessage]:
        """The errors in the order of the fields on the page, the form's own first."""
        order = {name: index for index, name in enumerate(FIELDS)}
        return sorted(self.messages, key=lambda m: order.get(m.field, -1))

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> FormState:
        """What was typed, exactly (shown again as typed); a field sent twice counts once."""
        values = {}
        for name in FIELDS:
            value = form.get(name)
            values[name] = value if isinstance(value, str) else ""
        return cls(values=values)

    def add_domain_error(self, exc: DomainError) -> None:
        """A refusal from the service: next to the field it is about, or for the whole form."""
        if isinstance(exc, InvalidInput):
            for error in exc.errors:
                # The detail ("Välj hur du vill delta.") speaks to a person choosing in a form;
                # the field message names the API's keys.
                text = exc.detail if len(exc.errors) == 1 else error.message
                self.messages.append(FieldMessage(error.field, text, text))
            return
        target = ""
        if isinstance(exc, NotEligible):
            target = exc.field or ""
        elif isinstance(exc, AlreadyRegistered):
            target = "email"
        self.messages.append(FieldMessage(target, exc.detail, exc.detail))


def _body(values: Mapping[str, str]) -> dict[str, Any]:
    """The form as the API's JSON body: optional fields left empty are left out."""
    body: dict[str, Any] = {
        "name": values["name"],
        "email": values["email"].strip(),
        "employer": values["employer"],
        "workplace": values["workplace"],
        "works_in_field": values["works_in_field"] == CONFIRMED,
    }
    for optional in ("format", "phone", "message", "manager_email"):
        if values[optional].strip():
            body[optional] = values[optional].strip()
    return body


def parse_form(state: FormState) -> RegistrationForm | None:
    """The registration to make, or None with the field errors added to `state`."""
    body = _body(state.values)
    try:
        # Most forms are right: one strict decode, and the field-by-field pass only for a form
        # with errors, where every one of them is to be shown at once.
        return msgspec.convert(body, RegistrationForm, strict=True)
    except msgspec.ValidationError:
        pass
    for found in all_errors(RegistrationForm, body):
        name = found.path.split(".", 1)[0]
        if state.error(name):
            continue
        text = field_message(found)
        state.messages.append(FieldMessage(name, text, f"{LABELS.get(name, name)}: {text}"))
    if not state.has_errors:  # pragma: no cover - all_errors finds what convert refused
        state.messages.append(FieldMessage("", "Formuläret kunde inte läsas.", "Formuläret"))
    return None
