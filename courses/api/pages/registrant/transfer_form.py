"""The form that hands a seat to a colleague: what was typed, checked by the API's own rules
(`Colleague`, worded by `field_message` as the API words it), the box that confirms the seat
goes, and the refusals of the service next to the field they are about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from courses.api.http.problems import field_message
from courses.api.pages.forms import FormState
from courses.api.pages.views import SessionView, registration_sessions
from courses.api.pages.wording import and_list
from courses.domain.errors import InvalidInput, NotEligible
from courses.services.registration.lookup import RegistrationDetails
from courses.services.registration.transfer import Colleague
from courses.validation import all_errors

__all__ = ["CONFIRMED", "FIELDS", "TransferView", "add_refusal", "parse_form", "read_form"]

FIELDS = ("name", "email", "workplace", "phone", "manager_email", "confirm")
CONFIRMED = "ja"
"""The value of the checked box that says the seat goes to the colleague."""

LABELS = {
    "name": "Kollegans namn",
    "email": "Kollegans e-postadress i tjänsten",
    "workplace": "Kollegans arbetsplats",
    "phone": "Kollegans telefonnummer",
    "manager_email": "E-postadress till kollegans chef",
    "confirm": "Bekräfta",
}
_NOT_CONFIRMED = "Kryssa i rutan om att din plats går över till kollegan."


@dataclass(frozen=True, slots=True)
class TransferView:
    path: str
    manage_path: str
    course_title: str
    employer: str
    domains: str
    """`vaxjo.se`, or `alvesta.se eller kronoberg.se`."""
    approval: bool
    """The course asks the manager: the form asks for the colleague's manager."""
    sessions: list[SessionView]
    open: bool
    """The seat may still be handed on (else the page says why, without a form)."""

    @classmethod
    def of(cls, details: RegistrationDetails, token: str) -> TransferView:
        manage = f"/anmalan/{token}"
        return cls(
            path=f"{manage}/overlat",
            manage_path=manage,
            course_title=details.course.title,
            employer=details.employer_name,
            domains=and_list(list(details.employer_domains), word="eller"),
            approval=details.course.needs_approval,
            sessions=registration_sessions(details.course, details.format),
            open=details.can_transfer,
        )


def read_form(form: Mapping[str, Any]) -> FormState:
    return FormState.of(form, FIELDS)


def parse_form(state: FormState, *, approval: bool) -> Colleague | None:
    """The colleague to hand the seat to, or None with the errors added to `state`."""
    body: dict[str, Any] = {
        "name": state.value("name"),
        "email": state.value("email").strip(),
        "workplace": state.value("workplace"),
    }
    optional = ("phone", "manager_email") if approval else ("phone",)
    for name in optional:
        if state.value(name).strip():
            body[name] = state.value(name).strip()
    try:
        colleague = msgspec.convert(body, Colleague, strict=True)
    except msgspec.ValidationError:
        colleague = None
        for found in all_errors(Colleague, body):
            name = found.path.split(".", 1)[0]
            if not state.error(name):
                text = field_message(found)
                state.add(name, text, f"{LABELS.get(name, name)}: {text}")
    if state.value("confirm") != CONFIRMED:
        state.add("confirm", _NOT_CONFIRMED)
    return None if state.has_errors else colleague


def add_refusal(state: FormState, exc: InvalidInput | NotEligible) -> None:
    """A refusal of the service, next to the field it is about."""
    if isinstance(exc, InvalidInput):
        for error in exc.errors:
            state.add(error.field, error.message)
        return
    state.add(exc.field or "", exc.detail)
