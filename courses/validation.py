"""Field types, and Swedish wording for msgspec's validation errors, shared by the API and the
schedule loader.

msgspec reports one error as an English sentence ending in "- at `$.path`". People reading our
answers and CLI output get Swedish, and the path split out so it can name a form field or a
place in a file.

Most rules are msgspec constraints (lengths, patterns), which the OpenAPI document shows. What a
pattern cannot say cleanly (a visible character, an internationalised domain) is a `Check` on
the same type: a Struct that derives from `Checked` applies it after decoding, and
`all_errors` applies it field by field.
"""

from __future__ import annotations

import re
import types
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

from courses.domain.addresses import EMAIL_PATTERN, canonical_email

__all__ = [
    "DOMAIN_MESSAGE",
    "DOMAIN_PATTERN",
    "EMAIL_MESSAGE",
    "ONE_LINE_MESSAGE",
    "Check",
    "Checked",
    "Email",
    "Key",
    "Message",
    "NonEmpty",
    "Phone",
    "PositiveInt",
    "Slug",
    "Text",
    "Url",
    "ValidationProblem",
    "all_errors",
    "translate",
]


@dataclass(frozen=True, slots=True)
class Check:
    """A rule beyond msgspec's constraints, put on a field type with `Annotated`.

    `fn` returns the value to keep (it may normalise it) or raises `ValueError` whose text is
    the Swedish message for the field.
    """

    fn: Callable[[str], str]


class Checked:
    """Mixin for the Structs whose fields carry a `Check` (`class X(msgspec.Struct, Checked)`):
    msgspec calls `__post_init__` once decoding succeeded, and it applies them."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for name, encode_name, checks in _checked_fields(type(self)):
            value = getattr(self, name)
            if not isinstance(value, str):
                continue  # an optional field left out
            try:
                for check in checks:
                    value = check.fn(value)
            except ValueError as exc:
                # msgspec adds the place of this Struct; `translate` moves the field into it.
                raise ValueError(f"Invalid value for field `{encode_name}`: {exc}") from None
            setattr(self, name, value)


_CheckedFields = tuple[tuple[str, str, tuple[Check, ...]], ...]
_checked_by_struct: dict[type[Any], _CheckedFields] = {}  # a memo: fields never change


def _checked_fields(struct: type[Any]) -> _CheckedFields:
    if (known := _checked_by_struct.get(struct)) is not None:
        return known
    found = tuple(
        (info.name, info.encode_name, checks)
        for info in msgspec.structs.fields(struct)
        if (checks := _checks_in(info.type))
    )
    _checked_by_struct[struct] = found
    return found


def _checks_in(annotation: object) -> tuple[Check, ...]:
    """The checks on a field's type, also through `X | None`."""
    origin = get_origin(annotation)
    if origin is Annotated:
        metadata = getattr(annotation, "__metadata__", ())
        inner = _checks_in(get_args(annotation)[0])
        return inner + tuple(m for m in metadata if isinstance(m, Check))
    if origin is Union or origin is types.UnionType:
        return tuple(check for arg in get_args(annotation) for check in _checks_in(arg))
    return ()


EMAIL_MESSAGE = "Ange en giltig e-postadress, t.ex. fornamn.efternamn@vaxjo.se."
ONE_LINE_MESSAGE = "Får inte vara tomt eller innehålla radbrytningar eller andra kontrolltecken."
TEXT_MESSAGE = "Får inte innehålla kontrolltecken (radbrytningar och tabbar går bra)."
DOMAIN_MESSAGE = (
    "Ange en domän som vaxjo.se: minst två delar åtskilda av punkter, var och en med högst "
    "63 tecken (a-z, siffror och bindestreck, men inte bindestreck först eller sist)."
)
# An employer's e-mail domain: DNS labels of letters, digits and inner hyphens, at most 63
# characters each, at least two. Anchored at the very end: `$` lets a trailing newline through.
_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN_PATTERN = rf"^{_DNS_LABEL}(?:\.{_DNS_LABEL})+(?![\s\S])"


def _deliverable(address: str) -> str:
    try:
        return canonical_email(address)
    except ValueError:
        raise ValueError(EMAIL_MESSAGE) from None


# Blank characters that Unicode counts as letters or symbols (Hangul fillers, the blank
# Braille pattern): a name of only these looks empty.
_BLANK_SIGNS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _visible(text: str) -> str:
    """At least one letter, digit, punctuation mark or symbol: not only spaces, zero-width or
    other format characters (U+200B, U+2060, U+FEFF, bidi controls), or combining marks."""
    for char in text:
        if unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_SIGNS:
            return text
    raise ValueError(ONE_LINE_MESSAGE)


# Reusable field types. A work address the mail transport can deliver (the rule is
# `courses.domain.rules.canonical_email`; the value kept is its canonical form, with an
# internationalised domain as A-labels); keys and slugs in lower-case ASCII for stable URLs.
Email = Annotated[
    str,
    msgspec.Meta(min_length=3, max_length=254, pattern=EMAIL_PATTERN, description="E-postadress"),
    Check(_deliverable),
]
Key = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*(?![\s\S])")
]
Slug = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*(?![\s\S])")
]
# C0 controls, DEL and C1 controls: none belongs in stored text (PostgreSQL refuses NUL, and a
# name or title ends up in mail headers, calendar properties and exports).
_CONTROLS = r"\x00-\x1f\x7f-\x9f"
# One line of visible text: no control character anywhere, and at least one character that is
# neither a control nor a space. The end is `(?![\s\S])`, not `$`, which would let a final line
# break through. `Check(_visible)` adds what a portable pattern cannot say: the character that
# is not a space must also not be zero-width.
_ONE_LINE = rf"^[^{_CONTROLS}]*[^{_CONTROLS}\s][^{_CONTROLS}]*(?![\s\S])"
NonEmpty = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=_ONE_LINE), Check(_visible)
]
# Free text over several lines (a message, a description): line breaks and tabs, no other
# control character.
_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*(?![\s\S])"
Text = Annotated[str, msgspec.Meta(pattern=_TEXT)]
Phone = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^\+?[0-9][0-9 ()-]{4,38}$")]
Message = Annotated[Text, msgspec.Meta(max_length=2000)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
# Hours a waitlist offer is held, or the last window before a course (at most 30 days).
OfferHours = Annotated[int, msgspec.Meta(ge=0, le=720)]
Url = Annotated[
    str, msgspec.Meta(max_length=500, pattern=rf"^https?://[^{_CONTROLS}\s]+(?![\s\S])")
]

_TYPE_NAMES = {
    "str": "text",
    "int": "ett heltal",
    "float": "ett tal",
    "bool": "true eller false",
    "array": "en lista",
    "object": "ett objekt",
    "null": "inget värde",
    "date": "ett datum (ÅÅÅÅ-MM-DD)",
    "time": "ett klockslag (TT:MM:SS)",
    "datetime": "en tidpunkt",
}


def _regex_error(pattern: str) -> re.Pattern[str]:
    return re.compile("^Expected `str` matching regex " + re.escape(repr(pattern)))


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Object missing required field `(?P<f>[^`]+)`"), "Fältet måste anges."),
    (re.compile(r"^Object contains unknown field `(?P<f>[^`]+)`"), "Okänt fält."),
    (re.compile(r"^Invalid value for field `(?P<f>[^`]+)`: (?P<m>.+)$", re.DOTALL), "{m}"),
    (re.compile(r"^Expected `str` of length >= 1"), "Får inte vara tomt."),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)"), "Måste vara minst {n} tecken."),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)"), "Får vara högst {n} tecken."),
    (re.compile(r"^Expected `(?:int|float)` >= (?P<n>\d+)"), "Måste vara minst {n}."),
    (re.compile(r"^Expected `(?:int|float)` <= (?P<n>\d+)"), "Får vara högst {n}."),
    (_regex_error(_ONE_LINE), ONE_LINE_MESSAGE),
    (_regex_error(_TEXT), TEXT_MESSAGE),
    (_regex_error(EMAIL_PATTERN), EMAIL_MESSAGE),
    (_regex_error(DOMAIN_PATTERN), DOMAIN_MESSAGE),
    (re.compile(r"^Expected `str` matching regex"), "Har fel form."),
    (re.compile(r"^Invalid enum value (?P<v>.+?)(?: - at|$)"), "Ogiltigt värde {v}."),
    (re.compile(r"^Invalid RFC3339 encoded date"), "Ogiltigt datum (skriv ÅÅÅÅ-MM-DD)."),
    (re.compile(r"^Invalid RFC3339 encoded time"), "Ogiltigt klockslag (skriv TT:MM:SS)."),
    (
        re.compile(r"^Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"),
        "Väntade {want}, fick {got}.",
    ),
]
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    """One error: where (`name`, `session[1].date`; empty for the whole input) and what."""

    path: str
    message: str


def _type_name(raw: str) -> str:
    names = [_TYPE_NAMES.get(part.strip(), part.strip()) for part in raw.split("|")]
    return " eller ".join(names)


def translate(error: msgspec.ValidationError | str) -> ValidationProblem:
    """Turn one msgspec error into a path and a Swedish message."""
    text = str(error)
    path = ""
    if match := _AT.search(text):
        path = match["path"].lstrip(".")
        text = text[: match.start()]
    for pattern, template in _PATTERNS:
        if found := pattern.search(text):
            groups = found.groupdict()
            if "f" in groups:
                path = f"{path}.{groups['f']}" if path else groups["f"]
            values = {
                "n": groups.get("n", ""),
                "v": groups.get("v", ""),
                "m": groups.get("m", ""),
                "want": _type_name(groups.get("want", "")),
                "got": _type_name(groups.get("got", "")),
            }
            return ValidationProblem(path, template.format(**values))
    return ValidationProblem(path, text)


def all_errors(struct: type[msgspec.Struct], value: object) -> list[ValidationProblem]:
    """Every field error of `value` against `struct`, not only the first one msgspec reports.

    A form with an empty name and a bad address should hear about both at once. Types are
    strict, as in decoding: `"true"` or `1` is not a boolean.
    """
    if not isinstance(value, dict):
        return [ValidationProblem("", "Innehållet måste vara ett JSON-objekt.")]
    problems: list[ValidationProblem] = []
    fields = msgspec.structs.fields(struct)
    known = {f.encode_name for f in fields}
    problems.extend(ValidationProblem(str(key), "Okänt fält.") for key in value if key not in known)
    for info in fields:
        if info.encode_name not in value:
            if info.required:
                problems.append(ValidationProblem(info.encode_name, "Fältet måste anges."))
            continue
        try:
            converted = msgspec.convert(value[info.encode_name], info.type, strict=True)
            if isinstance(converted, str):
                for check in _checks_in(info.type):
                    converted = check.fn(converted)
        except msgspec.ValidationError as exc:
            found = translate(exc)
            # `marks` + `[0].registration` is `marks[0].registration`; `a` + `b` is `a.b`.
            joint = "" if found.path.startswith("[") else "."
            path = f"{info.encode_name}{joint}{found.path}" if found.path else info.encode_name
            problems.append(ValidationProblem(path, found.message))
        except ValueError as exc:
            problems.append(ValidationProblem(info.encode_name, str(exc)))
    return problems
