"""Every HTTP request gets a request id (on each of its log lines and in `X-Request-ID`) and is
timed into the latency histogram by its route template.

It wraps the whole app, outside Litestar's router: app-level Litestar middleware runs only for
requests that match a route, and a 404 or 405 deserves its request id and its count too.
"""

from __future__ import annotations

import os
import re
import time

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from courses.logs import log_context
from courses.metrics import Metrics

__all__ = ["REQUEST_ID_HEADER", "RequestContext", "install_request_context"]

REQUEST_ID_HEADER = "x-request-id"

# A proxy's id is kept when it is harmless to log and echo: short, and only safe characters.
_SANE_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_UNMATCHED = "unmatched"
"""The route label of a request no route matched: its raw path could carry anything."""


_HEADER_NAME = REQUEST_ID_HEADER.encode()


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _HEADER_NAME:
            incoming = value.decode("latin-1").strip()
            if _SANE_ID.fullmatch(incoming):
                return incoming
            break
    return os.urandom(16).hex()


def _route(scope: Scope) -> str:
    # Set by Litestar's router once a route matched: "/api/registrations/{token}", never a token.
    template = scope.get("path_template") if scope.get("route_handler") else None
    return template if isinstance(template, str) and template else _UNMATCHED


class RequestContext:
    """ASGI middleware: request id in, request id out, latency observed."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        header = (_HEADER_NAME, request_id.encode())
        status = 500  # what the server answers if the app ends without a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        started = time.perf_counter()
        with log_context(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                method = scope["method"] if scope["method"] in _METHODS else "other"
                self.metrics.http_request(
                    method=method,
                    route=_route(scope),
                    status=status,
                    seconds=time.perf_counter() - started,
                )


def install_request_context(app: Litestar, metrics: Metrics) -> Litestar:
    """Wrap `app`'s handler (exception handling included) in `RequestContext`."""
    app.asgi_handler = RequestContext(app.asgi_handler, metrics=metrics)
    return app
