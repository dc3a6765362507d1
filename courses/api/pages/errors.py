"""Errors in front of a person: a Swedish page, not problem+json, for every path outside the API.

`for_pages` wraps the API's exception handlers (courses.api.http.problems) so that one map serves
both: `/api/...` (and `/metrics`) keeps its problem+json answers, every other path, including
an address that does not exist at all, gets a page that says what happened and where to go.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap

from courses.api.http.paths import is_api_path
from courses.api.http.problems import RETRY_AFTER_SECONDS
from courses.api.http.ratelimit import TooManyRequests
from courses.api.pages.staff.common import sign_in_path
from courses.api.pages.templating import page
from courses.domain.errors import (
    CourseNotFound,
    DomainError,
    Forbidden,
    ItemNotFound,
    RegistrationNotFound,
    Unauthorized,
)
from courses.services.operations import database_unavailable

__all__ = ["for_pages", "is_api_path"]

logger = logging.getLogger("courses.api.pages")

Handler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def for_pages(api_handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """The same handlers, answering with a page wherever the path is not the API's."""

    def dispatch(api_handler: Any) -> Handler:
        def handle(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
            if is_api_path(request.url.path):
                return api_handler(request, exc)  # type: ignore[no-any-return]
            if isinstance(exc, Unauthorized):
                # A staff page without a sign-in: to the sign-in page, then back here.
                here = request.url.path
                if request.url.query:
                    here += f"?{request.url.query}"
                target = here if request.method in ("GET", "HEAD") else None
                return Redirect(sign_in_path(target), status_code=303)
            return error_page(request, exc)

        return handle

    return {key: dispatch(handler) for key, handler in api_handlers.items()}


_NOT_FOUND = (
    "Sidan finns inte",
    [
        "Adressen kan vara felstavad, eller så har sidan tagits bort.",
    ],
)
_NO_REGISTRATION = (
    "Vi hittar ingen anmälan med den här länken",
    [
        "Länken kan ha blivit avklippt. Öppna den direkt från mejlet du fick när du anmälde "
        "dig, eller kopiera hela länken.",
        "Har du inte kvar mejlet kan vi mejla dig länkarna till dina anmälningar igen.",
    ],
)
_NO_COURSE = (
    "Kursen finns inte",
    ["Den kan ha tagits bort eller fått en ny adress. Alla kurser finns på startsidan."],
)
_FORM_EXPIRED = (
    "Formuläret kunde inte skickas",
    [
        "Det beror oftast på att sidan har varit öppen länge, eller på att webbläsaren inte "
        "tar emot kakor (cookies) från den här webbplatsen. Tjänsten behöver en kaka för att "
        "skydda formuläret.",
        "Gå tillbaka till formuläret och skicka det igen. Inget av det du skickade har sparats.",
    ],
)
_UNAVAILABLE = (
    "Tjänsten är inte tillgänglig just nu",
    [
        "Vi når inte vår databas för tillfället. Försök igen om en stund: en anmälan som du "
        "skickar igen räknas bara en gång.",
    ],
)
_BROKEN = (
    "Något gick fel hos oss",
    [
        "Försök igen om en stund. Om du skickade en anmälan och inte kom till en sida som "
        "bekräftar den, är den inte sparad.",
    ],
)

_CLIENT_ERROR = "Sidan kunde inte visas för det du skickade. Gå tillbaka och försök igen."
_CLIENT_ERRORS = {
    405: "Sidan tar inte emot det du skickade. Gå tillbaka och försök igen.",
    413: "Det du skickade var för stort. Korta ner texten och försök igen.",
    429: "Det har kommit för många försök på kort tid. Vänta en stund och försök sedan igen.",
}


def error_page(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    path = request.url.path
    status, (heading, paragraphs), retry = _describe(request, exc)
    context = {
        "heading": heading,
        "paragraphs": paragraphs,
        "retry_url": path if retry else "",
        "retry": retry,
        "has_errors": False,
        # A leader or admin who took a wrong turn goes back to their own pages.
        "staff_links": path.startswith(("/kursledare", "/admin")),
        # A registrant whose link opened nothing may have them all mailed again.
        "lost_link": isinstance(exc, RegistrationNotFound),
    }
    response = page("error.html", context, status=status, private=path.startswith("/anmalan"))
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _describe(
    request: Request[Any, Any, Any], exc: Exception
) -> tuple[int, tuple[str, list[str]], str]:
    """The status, the heading and paragraphs, and the words of a link back to the same
    address (empty for none)."""
    if isinstance(exc, RegistrationNotFound):
        return 404, _NO_REGISTRATION, ""
    if isinstance(exc, CourseNotFound):
        return 404, _NO_COURSE, ""
    if isinstance(exc, ItemNotFound):  # an employer, an account or a token not (or no longer) there
        return 404, _NOT_FOUND, ""
    if isinstance(exc, Forbidden):
        return 403, ("Du har inte behörighet", [exc.detail]), ""
    if isinstance(exc, DomainError):
        return 409, ("Det gick inte", [exc.detail]), ""
    if isinstance(exc, TooManyRequests):
        return 429, ("Det gick inte", [_CLIENT_ERRORS[429]]), "Försök igen"
    if isinstance(exc, PermissionDeniedException | NotAuthorizedException):
        # The only refusal a page gives this way is the CSRF check of a form.
        return 403, _FORM_EXPIRED, "Tillbaka till formuläret"
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        if exc.status_code == 404:
            return 404, _NOT_FOUND, ""
        text = _CLIENT_ERRORS.get(exc.status_code, _CLIENT_ERROR)
        retry = "Försök igen" if exc.status_code in (413, 429) else ""
        return exc.status_code, ("Det gick inte", [text]), retry
    if database_unavailable(exc):
        logger.warning("database unavailable on %s %s", request.method, request.url.path)
        return 503, _UNAVAILABLE, "Försök igen"
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return 500, _BROKEN, ""
