"""`/api/docs`: Swagger UI served from this machine under its own Content-Security-Policy (the
page in a real browser with the network cut: tests/pages/test_browser_api_docs.py)."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from courses.api.http.api_docs import API_DOCS_CONTENT_SECURITY_POLICY

Client = AsyncTestClient[Any]
_REFERENCES = re.compile(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"')


async def test_the_page_answers_html_under_its_own_policy_that_allows_only_this_host(
    api: Client,
) -> None:
    page = await api.get("/api/docs")

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == API_DOCS_CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in API_DOCS_CONTENT_SECURITY_POLICY.split("; ")
    )
    assert directives["default-src"] == ["'none'"]
    allowed = {source for sources in directives.values() for source in sources}
    assert allowed <= {"'none'", "'self'", "data:"}  # no other host, nothing inline
    assert '<html lang="sv">' in page.text


async def test_every_script_and_style_the_page_names_is_served_from_here(api: Client) -> None:
    page = await api.get("/api/docs")
    references = _REFERENCES.findall(page.text)

    assert sorted(references) == [
        "/api/docs/favicon-32x32.png",
        "/api/docs/init.js",
        "/api/docs/swagger-ui-bundle.js",
        "/api/docs/swagger-ui.css",
    ]
    kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for reference in references:
        answer = await api.get(reference)
        assert answer.status_code == 200, reference
        assert answer.headers["content-type"].startswith(kinds[reference[reference.rfind(".") :]])
        assert len(answer.content) > 100
    init = (await api.get("/api/docs/init.js")).text
    assert '"/api/schema/openapi.json"' in init
    assert "validatorUrl: null" in init  # the badge would ask swagger.io
    assert (await api.get("/api/schema/openapi.json")).status_code == 200


async def test_only_the_files_the_page_uses_are_served(api: Client) -> None:
    for name in ("index.html", "swagger-initializer.js", "swagger-editor.js", "..%2Fcore.py"):
        answer = await api.get(f"/api/docs/{name}")
        assert answer.status_code == 404, name
        assert answer.headers["content-type"] == "application/problem+json"
    assert (await api.get("/api/schema/swagger")).status_code == 404  # Litestar's, from a CDN
