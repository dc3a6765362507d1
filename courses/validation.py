"""Swedish wording for msgspec's validation errors, shared by the API and the schedule loader.

msgspec reports one error as an English sentence ending in "- at `$.path`". People reading our
answers and CLI output get Swedish, and the path split out so it can name a form field or a
place in a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import msgspec

__all__ = [
    "Email",
    "Key",
    "NonEmpty",
    "PositiveInt",
    "Slug",
    "Url",
    "ValidationProblem",
    "all_errors",
    "translate",
]

# Reusable field types. The patterns are deliberately plain: a work address with a domain
# that has a dot; keys and slugs in lower-case ASCII for stable URLs.
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s<>,;:\"()\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
        description="E-postadress",
    ),
]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")]
# One line of visible text: not only spaces, and no line break or other control character
# (a name or title ends up in mail headers, calendar properties and exports). The end is
# `(?![\s\S])`, not `$`, which would let a final line break through.
_ONE_LINE = r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*(?![\s\S])"
NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_ONE_LINE)]
PositiveInt = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Url = Annotated[str, msgspec.Meta(max_length=500, pattern=r"^https?://\S+$")]

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

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Object missing required field `(?P<f>[^`]+)`"), "Fältet måste anges."),
    (re.compile(r"^Object contains unknown field `(?P<f>[^`]+)`"), "Okänt fält."),
    (re.compile(r"^Expected `str` of length >= 1"), "Får inte vara tomt."),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)"), "Måste vara minst {n} tecken."),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)"), "Får vara högst {n} tecken."),
    (re.compile(r"^Expected `(?:int|float)` >= (?P<n>\d+)"), "Måste vara minst {n}."),
    (re.compile(r"^Expected `(?:int|float)` <= (?P<n>\d+)"), "Får vara högst {n}."),
    (
        re.compile("^Expected `str` matching regex " + re.escape(repr(_ONE_LINE))),
        "Får inte vara tomt eller innehålla radbrytningar eller andra kontrolltecken.",
    ),
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
                "want": _type_name(groups.get("want", "")),
                "got": _type_name(groups.get("got", "")),
            }
            return ValidationProblem(path, template.format(**values))
    return ValidationProblem(path, text)


def all_errors(struct: type[msgspec.Struct], value: object) -> list[ValidationProblem]:
    """Every field error of `value` against `struct`, not only the first one msgspec reports.

    A form with an empty name and a bad address should hear about both at once.
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
            msgspec.convert(value[info.encode_name], info.type, strict=False)
        except msgspec.ValidationError as exc:
            found = translate(exc)
            path = f"{info.encode_name}.{found.path}" if found.path else info.encode_name
            problems.append(ValidationProblem(path, found.message))
    return problems
