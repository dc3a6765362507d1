"""HEAD wherever GET is, and an `Allow` header that names every method of a path.

Litestar answers HEAD only on routes that declare it, so `HEAD /` was a 405; and its OPTIONS
answer names the methods of one handler of a path only (`GET, OPTIONS` on `/logga-in`, which
also takes POST). This wraps the app outside the router: a HEAD request is served as its GET
with the body left out (same status and headers, RFC 9110 9.3.2), and an `Allow` header, on an
OPTIONS or a 405 answer, lists all the methods the path's route has, HEAD included with GET.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MethodsAsDeclared", "install_methods"]

_ALLOW = b"allow"


def _with_head(methods: set[str]) -> set[str]:
    return methods | {"HEAD"} if "GET" in methods else methods


class MethodsAsDeclared:
    """ASGI middleware: HEAD as GET without the body; `Allow` complete."""

    def __init__(self, app: ASGIApp, *, routes: Mapping[str, frozenset[str]]) -> None:
        self.app = app
        self.routes = routes
        """Each route's path template (`/api/registrations/{token}`) and all its methods."""

    def _allow(
        self, scope: Scope, headers: Iterable[tuple[bytes, bytes]]
    ) -> list[tuple[bytes, bytes]]:
        """The answer's headers, its `Allow` (if any) naming all the methods of the route."""
        headers = list(headers)
        found = [value for name, value in headers if name.lower() == _ALLOW]
        if not found:
            return headers
        methods = {m.strip().upper() for m in found[0].decode("latin-1").split(",") if m.strip()}
        template = scope.get("path_template") if scope.get("route_handler") else None
        if isinstance(template, str):
            methods |= self.routes.get(template, frozenset())
        value = ", ".join(sorted(_with_head(methods))).encode("latin-1")
        return [*((n, v) for n, v in headers if n.lower() != _ALLOW), (_ALLOW, value)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        finished = False

        async def answer(message: Message) -> None:
            nonlocal finished
            if finished:
                return  # a HEAD answer ended with its headers; the GET's body goes nowhere
            if message["type"] == "http.response.start":
                message["headers"] = self._allow(scope, message.get("headers", ()))
                await send(message)
            elif head and message["type"] == "http.response.body":
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send(message)

        if head:
            scope["method"] = "GET"
        try:
            await self.app(scope, receive, answer)
        finally:
            if head:
                scope["method"] = "HEAD"


def install_methods(app: Litestar) -> Litestar:
    """Wrap `app`'s handler in `MethodsAsDeclared`, with the methods of its routes."""
    routes = {
        route.path_format: frozenset(_with_head(set(route.methods)))
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }
    app.asgi_handler = MethodsAsDeclared(app.asgi_handler, routes=routes)
    return app
