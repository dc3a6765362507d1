"""What a request must be before a handler sees it: a URL of sane length and, where a handler
takes a JSON body, `application/json` that decodes strictly into its Struct.

Litestar parses any body as JSON whatever its media type (so a cross-site "simple" request with
`text/plain` could register someone) and converts laxly (`"true"` and `1` become `True`). The
app-wide `before_request` hook below refuses both. Litestar then parses the body again, which
on a body already proven strictly valid gives the same value.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg
from litestar.status_codes import (
    HTTP_414_REQUEST_URI_TOO_LONG,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)

from courses.validation import ValidationProblem, all_errors

__all__ = [
    "JSON_BODY_LIMIT",
    "MAX_URL_LENGTH",
    "TEXT_BODY",
    "TEXT_BODY_LIMIT",
    "InvalidBody",
    "body_problems",
    "check_request",
    "json_body_struct",
]

JSON_BODY_LIMIT = 64 * 1024
"""Bytes a JSON body may have (a registration is well under 1 KiB). A route that takes more,
such as an uploaded schedule file, sets its own `request_max_body_size`."""

TEXT_BODY_LIMIT = 2 * 1024 * 1024
"""Bytes of an uploaded schedule file (the real year's schedule is about 10 KiB)."""

TEXT_BODY = "text_body_media_types"
"""The `opt` key of a route that takes a text body (a schedule file) rather than JSON: the
media types it accepts, in UTF-8. Its handler reads `request.body()` itself."""

MAX_URL_LENGTH = 2048
"""Bytes of path and query string; the longest real URL (a manage link) is about 70."""

_NESTING = "Innehållet är för djupt nästlat. Skicka ett JSON-objekt med fälten direkt i."
_NOT_JSON = "Förfrågan är inte giltig JSON."
_NOT_UTF8 = "Förfrågan är inte giltig UTF-8-text."
_EMPTY = "Förfrågan saknar innehåll. Skicka uppgifterna som ett JSON-objekt."


class InvalidBody(Exception):
    """The body is not a valid instance of the handler's Struct; `problems` says why."""

    def __init__(self, problems: list[ValidationProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the body")
        self.problems = problems


_STRUCTS: dict[int, tuple[HTTPRouteHandler, type[msgspec.Struct] | None]] = {}
"""By handler: what `json_body_struct` found (a handler's signature never changes, and this
runs on every request). The handler itself is kept too, so its id is never reused."""


def json_body_struct(handler: HTTPRouteHandler) -> type[msgspec.Struct] | None:
    """The Struct a handler takes as its JSON `data`, if it takes one."""
    found = _STRUCTS.get(id(handler))
    if found is None or found[0] is not handler:
        found = _STRUCTS[id(handler)] = (handler, _body_struct(handler))
    return found[1]


def _body_struct(handler: HTTPRouteHandler) -> type[msgspec.Struct] | None:
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    struct = data.annotation
    if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct)):
        return None
    kwarg = data.kwarg_definition
    media_type = kwarg.media_type if isinstance(kwarg, BodyKwarg) else RequestEncodingType.JSON
    return struct if media_type == RequestEncodingType.JSON else None


def body_problems(struct: type[msgspec.Struct], raw: bytes) -> list[ValidationProblem]:
    """Every reason `raw` is not a `struct`, in Swedish; empty when it is one.

    Decoding is strict. Malformed input (invalid UTF-8, nesting deeper than the decoder's
    recursion limit, truncated JSON) is a problem here, never an exception.
    """
    if not raw.strip():
        return [ValidationProblem("", _EMPTY)]
    try:
        msgspec.json.decode(raw, type=struct, strict=True)
    except msgspec.ValidationError:
        pass  # well-formed JSON, wrong content: list every field below
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        return [_malformed(exc)]
    else:
        return []
    try:
        value = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        return [_malformed(exc)]
    return all_errors(struct, value) or [ValidationProblem("", "Förfrågan kunde inte läsas.")]


def _malformed(exc: Exception) -> ValidationProblem:
    if isinstance(exc, RecursionError):
        return ValidationProblem("", _NESTING)
    if isinstance(exc, UnicodeDecodeError):
        return ValidationProblem("", _NOT_UTF8)
    return ValidationProblem("", _NOT_JSON)


async def check_request(request: Request[Any, Any, Any]) -> None:
    """The app's `before_request` hook: refuse an over-long URL, and a JSON body that is not
    `application/json` or not strictly valid. Returns None, so the handler runs after it."""
    url_length = len(request.scope.get("raw_path", b"")) + len(request.scope["query_string"])
    if url_length > MAX_URL_LENGTH:
        raise HTTPException(status_code=HTTP_414_REQUEST_URI_TOO_LONG)
    text_types = request.route_handler.opt.get(TEXT_BODY)
    if text_types is not None:
        # Only the listed types: a cross-site form (urlencoded, multipart) never gets here.
        _check_media_type(request, text_types)
        return
    struct = json_body_struct(request.route_handler)
    if struct is None:
        return
    _check_media_type(request, (RequestEncodingType.JSON,))
    # Litestar enforces the route's `request_max_body_size` while reading (413).
    if problems := body_problems(struct, await request.body()):
        raise InvalidBody(problems)


def _check_media_type(request: Request[Any, Any, Any], allowed: tuple[str, ...]) -> None:
    media_type, options = request.content_type
    charset = options.get("charset", "utf-8").lower()
    if media_type not in allowed or charset not in ("utf-8", "utf8"):
        raise HTTPException(status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE)
