"""The registration form: what was typed, checked by the API's own rules, and its errors.

One source for the rules and their wording: the form is turned into the API's body and checked
with `courses.validation.all_errors` against `RegistrationForm` (worded by `field_message`, as the
API words it); what only the service can decide (eligibility, format, already registered)
comes back as the domain's errors, which name their field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from courses.api.http.problems import field_message
from courses.api.pages.forms import FormState
from courses.domain.errors import AlreadyRegistered, DomainError, InvalidInput, NotEligible
from courses.services.registration.register import RegistrationForm
from courses.validation import all_errors

__all__ = ["CONFIRMED", "FIELDS", "add_domain_error", "parse_form", "read_form"]

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


def read_form(form: Mapping[str, Any]) -> FormState:
    """The registration form as it was sent, every field as typed."""
    return FormState.of(form, FIELDS)


def add_domain_error(state: FormState, exc: DomainError) -> None:
    """A refusal from the service: next to the field it is about, or for the whole form."""
    if isinstance(exc, InvalidInput):
        for error in exc.errors:
            # The detail ("Välj hur du vill delta.") speaks to a person choosing in a form;
            # the field message names the API's keys.
            text = exc.detail if len(exc.errors) == 1 else error.message
            state.add(error.field, text)
        return
    target = ""
    if isinstance(exc, NotEligible):
        target = exc.field or ""
    elif isinstance(exc, AlreadyRegistered):
        target = "email"
    state.add(target, exc.detail)


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
        state.add(name, text, f"{LABELS.get(name, name)}: {text}")
    if not state.has_errors:  # pragma: no cover - all_errors finds what convert refused
        state.add("", "Formuläret kunde inte läsas.", "Formuläret")
    return None
