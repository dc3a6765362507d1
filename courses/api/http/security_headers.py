"""Security headers on every answer, errors and unknown paths included.

A `before_send` hook rather than a middleware: Litestar runs middleware only for matched
routes, while this sees every response the app sends. A handler that sets one of these headers
itself (a page with its own Content-Security-Policy) keeps its value, except where personal data
demands the stricter one (`Cache-Control`, `Referrer-Policy` below).
"""

from __future__ import annotations

import re

from litestar.types import BeforeMessageSendHookHandler, Message, Scope

from courses.settings import Settings

__all__ = ["API_CONTENT_SECURITY_POLICY", "security_headers"]

API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""JSON and calendar files need nothing loaded, run or framed."""

# Answers that carry a person's data: never stored by a browser or proxy.
_PERSONAL = re.compile(
    r"^/api/registrations/|^/api/courses/[^/]+/(?:registrations$|attendees|attendance$)"
    r"|^/api/admin/|^/anmalan/|^/godkann/|^/kurser/[^/]+$"
)
# Paths whose URL holds a secret token: never sent on as a Referer.
_SECRET_URL = re.compile(r"^/api/registrations/|^/anmalan/|^/godkann/")
# The staff pages: personal data, and `/logga-in/{token}` holds a one-time secret.
_STAFF = re.compile(r"^/(?:logga-in|logga-ut|kursledare|admin)(?:/|$)")
_HSTS = "max-age=31536000"  # a year; not includeSubDomains: the county's other hosts decide


def security_headers(settings: Settings) -> BeforeMessageSendHookHandler:
    """The hook for `Litestar(before_send=[...])`. HSTS, and `Secure` on every cookie, when
    the public URL is https or the request came over https (directly, or through a trusted
    proxy's `X-Forwarded-Proto`: courses.api.http.proxies)."""
    always = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY")]
    public_https = settings.base_url.startswith("https://")
    hsts = (b"strict-transport-security", _HSTS.encode())
    csp = (b"content-security-policy", API_CONTENT_SECURITY_POLICY.encode())
    referrer = (b"referrer-policy", b"strict-origin-when-cross-origin")
    secret_referrer = (b"referrer-policy", b"no-referrer")
    no_store = (b"cache-control", b"no-store")

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path = scope.get("path", "")
        forced = list(always)
        https = public_https or scope.get("scheme") == "https"
        if https:
            forced.append(hsts)
        staff = _STAFF.match(path) is not None
        if staff or _SECRET_URL.match(path):
            forced.append(secret_referrer)
        if staff or _PERSONAL.match(path):
            forced.append(no_store)
        replaced = {name for name, _ in forced}
        # Raw ASGI headers (lower-case names): this runs for every answer, so no wrapper.
        headers = [h for h in message.get("headers", []) if h[0].lower() not in replaced]
        if https:
            headers = [_secure_cookie(h) for h in headers]
        present = {name.lower() for name, _ in headers}
        headers.extend(forced)
        headers.extend(h for h in (csp, referrer) if h[0] not in present and h[0] not in replaced)
        message["headers"] = headers

    return add_headers


def _secure_cookie(header: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    """A `Set-Cookie` sent over https carries `Secure`, whoever set it (the CSRF cookie's
    configuration is fixed when the app is made; the scheme is known per request)."""
    name, value = header
    if name.lower() != b"set-cookie":
        return header
    attributes = {part.strip().lower() for part in value.split(b";")[1:]}
    return header if b"secure" in attributes else (name, value + b"; Secure")
