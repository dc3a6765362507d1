"""The shared field types: one line of visible text, free text, and the checks behind them,
whether a Struct is decoded whole or `all_errors` lists every field."""

from __future__ import annotations

import unicodedata

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from courses.validation import (
    EMAIL_MESSAGE,
    ONE_LINE_MESSAGE,
    Checked,
    Email,
    NonEmpty,
    Text,
    all_errors,
    translate,
)

CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u202e", "\u2066"]


class Form(msgspec.Struct, Checked, forbid_unknown_fields=True):
    name: NonEmpty
    note: Text | None = None
    email: Email | None = None


def refusal(value: dict[str, object]) -> dict[str, str]:
    """The field errors of `value`, both ways the service decodes: whole and field by field."""
    try:
        msgspec.convert(value, Form)
        whole: dict[str, str] = {}
    except msgspec.ValidationError as exc:
        found = translate(exc)
        whole = {found.path: found.message}
    listed = {p.path: p.message for p in all_errors(Form, value)}
    assert bool(whole) == bool(listed)
    assert all(listed.get(path) == message for path, message in whole.items())
    return listed


def visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPS" and char not in "\u115f\u1160\u3164\uffa0\u2800"


one_line_chars = st.characters(codec="utf-8", exclude_categories=["Cs"]).filter(
    lambda c: c not in CONTROLS
)


@given(st.text(one_line_chars, max_size=20), st.sampled_from(CONTROLS), st.text(max_size=5))
def test_a_control_character_anywhere_in_one_line_is_refused(
    before: str, control: str, after: str
) -> None:
    assert refusal({"name": f"{before}{control}{after}"}) == {"name": ONE_LINE_MESSAGE}


@pytest.mark.parametrize("control", ["\x1b", "\x7f", "\x08", "\x00", "\x85", "\x9b"])
def test_a_single_control_character_is_not_a_name(control: str) -> None:
    assert refusal({"name": control}) == {"name": ONE_LINE_MESSAGE}


@given(st.lists(st.sampled_from([*INVISIBLE, " ", "\u00a0", "\u3000", "\u0301"]), min_size=1))
def test_a_name_of_only_blank_or_zero_width_characters_is_refused(chars: list[str]) -> None:
    assert refusal({"name": "".join(chars)}) == {"name": ONE_LINE_MESSAGE}


@given(st.text(one_line_chars, min_size=1, max_size=200))
def test_one_line_is_accepted_exactly_when_it_has_a_visible_character(name: str) -> None:
    errors = refusal({"name": name})

    if any(visible(c) for c in name):
        assert errors == {}
        assert msgspec.convert({"name": name}, Form).name == name
    else:
        assert errors == {"name": ONE_LINE_MESSAGE}


def test_names_in_any_script_with_marks_and_joiners_are_accepted() -> None:
    for name in ["Åsa Öberg", "José\u0301", "Zoë-Li", "محمد\u200f", "👩\u200d⚕️ Kim", "李"]:
        assert refusal({"name": name}) == {}, name


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=50))
def test_free_text_keeps_line_breaks_and_tabs_and_refuses_other_controls(note: str) -> None:
    errors = refusal({"name": "Anna", "note": note})

    if any(c in CONTROLS and c not in "\t\n\r" for c in note):
        assert list(errors) == ["note"]
    else:
        assert errors == {}


def test_an_email_field_keeps_the_canonical_address() -> None:
    form = msgspec.convert({"name": "Anna", "email": "Anna@Växjö.se"}, Form)

    assert form.email == "Anna@xn--vxj-qla6g.se"


@pytest.mark.parametrize("email", ["åsa@vaxjo.se", "a\x1b@vaxjo.se", "a@xn--zz.se", "a@x"])
def test_an_undeliverable_email_gets_one_swedish_message(email: str) -> None:
    assert refusal({"name": "Anna", "email": email}) == {"email": EMAIL_MESSAGE}


def test_a_check_in_a_nested_struct_names_its_place() -> None:
    class Course(msgspec.Struct):
        leaders: list[Form]

    with pytest.raises(msgspec.ValidationError) as raised:
        msgspec.convert({"leaders": [{"name": "\u200b"}]}, Course)

    found = translate(raised.value)
    assert (found.path, found.message) == ("leaders[0].name", ONE_LINE_MESSAGE)


def test_types_are_strict_field_by_field() -> None:
    class Consent(msgspec.Struct):
        works_in_field: bool

    assert [(p.path, p.message) for p in all_errors(Consent, {"works_in_field": "true"})] == [
        ("works_in_field", "Väntade true eller false, fick text.")
    ]
    assert [p.message for p in all_errors(Consent, {"works_in_field": 1})] == [
        "Väntade true eller false, fick ett heltal."
    ]
