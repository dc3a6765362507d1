"""Security headers on every answer, errors and unknown paths included.

A `before_send` hook rather than a middleware: Litestar runs middleware only for matched
routes, while this sees every response the app sends. A handler that sets one of these headers
itself (a page with its own Content-Security-Policy) keeps its value, except where personal data
demands the stricter one (`Cache-Control`, `Referrer-Policy` below).
"""

from __future__ import annotations

import re

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from courses.settings import Settings

__all__ = ["API_CONTENT_SECURITY_POLICY", "security_headers"]

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""JSON and calendar files need nothing loaded, run or framed."""

# Answers that carry a person's data: never stored by a browser or proxy.
_PERSONAL = re.compile(r"^/api/registrations/|^/api/courses/[^/]+/registrations$")
# Paths whose URL holds a secret token: never sent on as a Referer.
_SECRET_URL = re.compile(r"^/api/registrations/")
_HSTS = "max-age=31536000"  # a year; not includeSubDomains: the county's other hosts decide


def security_headers(settings: Settings) -> BeforeMessageSendHookHandler:
    """The hook for `Litestar(before_send=[...])`. HSTS only when the public URL is https."""
    https = settings.base_url.startswith("https://")

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path = scope.get("path", "")
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        _default(headers, "Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        if _SECRET_URL.match(path):
            headers["Referrer-Policy"] = "no-referrer"
        else:
            _default(headers, "Referrer-Policy", "strict-origin-when-cross-origin")
        if _PERSONAL.match(path):
            headers["Cache-Control"] = "no-store"
        if https:
            headers["Strict-Transport-Security"] = _HSTS

    return add_headers


def _default(headers: MutableScopeHeaders, name: str, value: str) -> None:
    if not headers.getall(name, []):
        headers[name] = value
