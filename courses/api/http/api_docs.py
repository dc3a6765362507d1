"""The API's documentation page, `/api/docs`: Swagger UI over `/api/schema/openapi.json`.

Swagger UI comes from the swagger-ui-py wheel (Apache-2.0), which ships its built files; only
a few of them are served, from this machine, under `/api/docs/`. Nothing is loaded from
elsewhere (a municipal network may not reach a CDN): the page's own Content-Security-Policy
allows only this host, and the validator badge, which would call swagger.io, is off. The
page's script is a file too (`init.js`), so the policy needs no inline script.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

__all__ = ["API_DOCS_CONTENT_SECURITY_POLICY", "API_DOCS_HANDLERS"]

API_DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)

_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
_CACHE = {"Cache-Control": "public, max-age=86400"}

_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API-dokumentation – Utbildningar inom missbruks- och beroendevård</title>
<link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png">
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<noscript><p>Sidan visar API:t med JavaScript. Beskrivningen finns också som
<a href="/api/schema/openapi.json">OpenAPI-dokument (JSON)</a>.</p></noscript>
<main id="swagger-ui"></main>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
"""

_INIT = """"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/schema/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""


def _swagger_ui_files() -> Path:
    """The wheel's `static/` folder, found without importing the package (its `__init__` loads
    handlers for other web frameworks)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise RuntimeError("swagger-ui-py is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


_FILES = _swagger_ui_files()


@get("/api/docs", include_in_schema=False, sync_to_thread=False)
def api_docs() -> Response[str]:
    return Response(
        _PAGE,
        media_type="text/html",
        headers={"Content-Security-Policy": API_DOCS_CONTENT_SECURITY_POLICY},
    )


@get("/api/docs/init.js", include_in_schema=False, sync_to_thread=False)
def api_docs_init() -> Response[str]:
    return Response(_INIT, media_type="text/javascript", headers=_CACHE)


@get("/api/docs/{name:str}", include_in_schema=False, sync_to_thread=False)
def api_docs_asset(name: FromPath[str]) -> File:
    """Only the files the page uses; the wheel holds more (Swagger Editor, a demo page)."""
    if name not in _ASSETS:
        raise NotFoundException()
    return File(
        _FILES / name, media_type=_ASSETS[name], content_disposition_type="inline", headers=_CACHE
    )


API_DOCS_HANDLERS = [api_docs, api_docs_init, api_docs_asset]
