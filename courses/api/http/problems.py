"""The one place that turns errors into RFC 9457 problem+json answers, in Swedish.

`type` is `<base_url>/problems/<code>`; clients match on the stable `<code>` suffix.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Empty, ExceptionHandlersMap
from litestar.utils.scope.state import ScopeState

from courses.api.http.body import TEXT_BODY, InvalidBody, body_problems, json_body_struct
from courses.api.http.ratelimit import TooManyRequests
from courses.domain.errors import DomainError, InvalidInput, NotEligible, OfferClosed
from courses.schedule.load import ScheduleError
from courses.services.operations import database_unavailable
from courses.validation import ValidationProblem, translate

__all__ = ["PROBLEM_MEDIA_TYPE", "exception_handlers", "field_message", "problem"]

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("courses.api")

_STATUS = {
    "validation-error": 400,
    "course-not-found": 404,
    "registration-closed": 409,
    "not-yet-open": 409,
    "course-full": 409,
    "already-registered": 409,
    "no-invite": 409,
    "no-certificate": 409,
    "not-eligible": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "conflict": 409,
    "offer-closed": 409,
    "offer-taken": 409,
}
_TITLES = {
    # Refusals of the request itself, before any rule (courses.api.http.body, .ratelimit).
    "too-large": "För stor förfrågan",
    "uri-too-long": "För lång adress",
    "unsupported-media-type": "Fel innehållstyp",
    "too-many-requests": "För många förfrågningar",
    "validation-error": "Ogiltiga uppgifter",
    "course-not-found": "Hittades inte",
    "registration-closed": "Anmälan är stängd",
    "not-yet-open": "Anmälan har inte öppnat",
    "course-full": "Kursen är fullbokad",
    "already-registered": "Redan anmäld",
    "no-invite": "Ingen kalenderinbjudan",
    "no-certificate": "Inget intyg än",
    "not-eligible": "Inte behörig",
    "unauthorized": "Inloggning krävs",
    "forbidden": "Åtkomst nekad",
    "conflict": "Går inte just nu",
    "offer-closed": "Erbjudandet gäller inte längre",
    "offer-taken": "Platsen gick till någon annan",
    "not-found": "Sidan finns inte",
    "method-not-allowed": "Metoden stöds inte",
    "bad-request": "Felaktig förfrågan",
    "internal-error": "Något gick fel",
    "service-unavailable": "Tjänsten är inte tillgänglig just nu",
}
RETRY_AFTER_SECONDS = 5
"""What a 503 asks clients to wait: a restarting database is usually back within seconds."""
_FIELD_HINTS = {
    "phone": "Ange ett telefonnummer med siffror, t.ex. 0470-123 45.",
    "employer": "Ange arbetsgivarens nyckel, t.ex. vaxjo (se /api/employers).",
    "format": "Ange formatets nyckel, t.ex. digital.",
    "month": "Ange en månad som ÅÅÅÅ-MM, t.ex. 2027-09.",
}


def field_message(found: ValidationProblem) -> str:
    """The Swedish message for one field error, as the API and the pages show it."""
    if found.message == "Har fel form." and found.path in _FIELD_HINTS:
        return _FIELD_HINTS[found.path]
    return found.message


def problem(
    request: Request[Any, Any, Any],
    code: str,
    detail: str,
    *,
    status: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    status = status or _STATUS.get(code, 400)
    base = request.app.state.get("base_url", "")
    body: dict[str, Any] = {
        "type": f"{base}/problems/{code}",
        "title": _TITLES.get(code, "Fel"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    extra: dict[str, Any] | None = None
    if isinstance(exc, InvalidInput):
        extra = {"errors": [{"field": e.field, "message": e.message} for e in exc.errors]}
    elif isinstance(exc, NotEligible) and exc.field:
        # The field the refusal is about, as a form shows it next to the field.
        extra = {"errors": [{"field": exc.field, "message": exc.detail}]}
    elif isinstance(exc, OfferClosed):
        extra = {"waitlist_position": exc.waitlist_position}
    return problem(request, exc.code, exc.detail, extra=extra)


def _validation_error(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    """Litestar's own refusals: a path parameter, or a body it could not convert."""
    items = exc.extra if isinstance(exc.extra, list) else []
    problems = _body_problems(request) or [_parameter_problem(request, item) for item in items]
    if not problems:
        return problem(
            request, "validation-error", "Förfrågan kunde inte läsas. Skicka giltig JSON."
        )
    return _field_problems(request, problems)


def _parameter_problem(request: Request[Any, Any, Any], item: object) -> ValidationProblem:
    if not isinstance(item, dict):
        return ValidationProblem("", "Förfrågan kunde inte läsas.")
    found = translate(str(item.get("message", "")))
    field = _public_name(request, str(item.get("key") or found.path))
    if item.get("source") == "path":
        return ValidationProblem(field, "Adressen innehåller tecken som inte hör hemma i den.")
    return ValidationProblem(field, found.message)


def _public_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name a client sent a parameter by: Litestar reports the handler's own name, which
    differs where a name is taken (`state` is Litestar's)."""
    parameter = request.route_handler.parsed_fn_signature.parameters.get(key)
    alias = getattr(getattr(parameter, "kwarg_definition", None), "name", None)
    return alias if isinstance(alias, str) and alias else key


def _invalid_body(request: Request[Any, Any, Any], exc: InvalidBody) -> Response[dict[str, Any]]:
    return _field_problems(request, exc.problems)


def _field_problems(
    request: Request[Any, Any, Any], problems: list[ValidationProblem]
) -> Response[dict[str, Any]]:
    errors = [{"field": found.path, "message": field_message(found)} for found in problems]
    if len(errors) == 1 and not errors[0]["field"]:
        detail = errors[0]["message"]  # the body as a whole: not JSON, empty, too deep
    else:
        fields = ", ".join(e["field"] or "innehållet" for e in errors)
        detail = f"Några uppgifter saknas eller är felaktiga: {fields}."
    return problem(request, "validation-error", detail, extra={"errors": errors})


def _body_problems(request: Request[Any, Any, Any]) -> list[ValidationProblem]:
    """All field errors of the JSON body, when the failing part was the body.

    The body Litestar already read is cached in the connection state (an internal of
    Litestar 2, hence the defensive access).
    """
    struct = json_body_struct(request.route_handler)
    body = getattr(ScopeState.from_scope(request.scope), "body", Empty)
    if struct is None or not isinstance(body, bytes):
        return []
    return body_problems(struct, body)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if isinstance(exc, NotFoundException):
        return problem(request, "not-found", "Adressen finns inte.", status=404)
    if isinstance(exc, MethodNotAllowedException):
        refused = problem(
            request, "method-not-allowed", "Metoden stöds inte för adressen.", status=405
        )
        refused.headers.update(exc.headers or {})  # Allow: the methods that are supported
        return refused
    if exc.status_code in _REQUEST_REFUSALS:
        return _request_refusal(request, exc.status_code)
    if exc.status_code == 400:
        return problem(
            request, "validation-error", "Förfrågan kunde inte läsas. Skicka giltig JSON."
        )
    if exc.status_code >= 500:
        return _internal_error(request, exc)
    return problem(
        request, "bad-request", "Förfrågan kunde inte behandlas.", status=exc.status_code
    )


def _internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if database_unavailable(exc):
        return _service_unavailable(request, exc)
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        request,
        "internal-error",
        "Något gick fel hos oss. Försök igen om en stund; inget av det du skickade har sparats "
        "om du inte fått en bekräftelse.",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
    )


# Refusals of the request itself: too large, wrong media type, too long a URL, too many.

_REQUEST_REFUSALS = {
    413: "too-large",
    414: "uri-too-long",
    415: "unsupported-media-type",
}


def _request_refusal(request: Request[Any, Any, Any], status: int) -> Response[dict[str, Any]]:
    code = _REQUEST_REFUSALS[status]
    if status == 413:
        limit = request.route_handler.resolve_request_max_body_size() or 0
        detail = (
            f"Innehållet är för stort. Högst {_size(limit)} tas emot; "
            "skicka bara de uppgifter som efterfrågas."
        )
    elif status == 414:
        detail = "Adressen är för lång. Kontrollera länken och försök igen."
        # Not the whole over-long path back again: its start says which one it was.
        return problem(
            request, code, detail, status=status, extra={"instance": _path_start(request)}
        )
    elif text_types := request.route_handler.opt.get(TEXT_BODY):
        detail = (
            "Innehållet måste skickas som text i UTF-8, med rubriken Content-Type: "
            f"{' eller '.join(text_types)}."
        )
    else:
        detail = "Innehållet måste skickas som JSON, med rubriken Content-Type: application/json."
    return problem(request, code, detail, status=status)


def _path_start(request: Request[Any, Any, Any]) -> str:
    path = request.url.path
    return path if len(path) <= 100 else path[:100] + "…"


def _size(limit: int) -> str:
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} byte"


def _too_many_requests(
    request: Request[Any, Any, Any], exc: TooManyRequests
) -> Response[dict[str, Any]]:
    wait = exc.retry_after
    if wait < 60:
        when = f"{wait} sekund" if wait == 1 else f"{wait} sekunder"
    else:
        minutes = (wait + 59) // 60
        when = "1 minut" if minutes == 1 else f"{minutes} minuter"
    refused = problem(
        request,
        "too-many-requests",
        f"För många förfrågningar på kort tid. Försök igen om {when}.",
        status=429,
    )
    refused.headers["Retry-After"] = str(wait)
    return refused


def _service_unavailable(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    """The database is down or restarting: say so, and when to try again; no stack trace."""
    lines = str(getattr(exc, "orig", None) or exc).splitlines()
    reason = lines[0] if lines else type(exc).__name__
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, reason)
    response = problem(
        request,
        "service-unavailable",
        "Tjänsten kan inte nå sin databas just nu. Försök igen om en stund; en anmälan som du "
        "skickar igen räknas bara en gång.",
        status=503,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _schedule_error(
    request: Request[Any, Any, Any], exc: ScheduleError
) -> Response[dict[str, Any]]:
    """An uploaded schedule file that cannot be imported: every problem with its place in the
    file (`course[2] (asi-2022).deadline`); nothing was written."""
    count = len(exc.problems)
    return problem(
        request,
        "validation-error",
        f"Schemafilen har {count} fel; inget importerades.",
        extra={"errors": [{"field": p.place, "message": p.message} for p in exc.problems]},
    )


exception_handlers: ExceptionHandlersMap = {
    ScheduleError: _schedule_error,
    InvalidBody: _invalid_body,
    TooManyRequests: _too_many_requests,
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _internal_error,
}
