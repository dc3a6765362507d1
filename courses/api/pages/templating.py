"""The pages' Jinja environment, their stylesheet, and the one way a page is answered.

Every page goes out through `page()`, which sets the headers the pages rely on: a strict
Content-Security-Policy (no inline script or style anywhere, so the templates carry none) and,
on a registrant's own pages, `Referrer-Policy: no-referrer` and `Cache-Control: no-store`: their
address holds the secret token, and they show personal data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import Router
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.enums import MediaType
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from courses.settings import Settings

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SERVICE_NAME",
    "STATIC_DIR",
    "TEMPLATE_DIR",
    "page",
    "page_headers",
    "private_redirect",
    "static_files",
    "template_config",
]

_ROOT = Path(__file__).resolve().parents[3]
TEMPLATE_DIR = _ROOT / "templates" / "pages"
STATIC_DIR = _ROOT / "static"
_STYLESHEET = "courses.css"

SERVICE_NAME = "Utbildningar inom missbruks- och beroendevård"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def page_headers(*, private: bool = False) -> dict[str, str]:
    """The headers of every page; `private` for the registrant's own pages."""
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    if private:
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cache-Control"] = "no-store"
    return headers


def page(
    template: str, context: Mapping[str, Any], *, status: int = 200, private: bool = False
) -> Template:
    """A page rendered from `templates/pages/<template>`."""
    return Template(
        template_name=template,
        context=dict(context),
        status_code=status,
        headers=page_headers(private=private),
        media_type=MediaType.HTML,
    )


def private_redirect(path: str, *, cookies: Sequence[Cookie] = ()) -> Redirect:
    """`303 See Other` to `path` after a form on a private page, with the private headers."""
    return Redirect(
        path, status_code=303, headers=page_headers(private=True), cookies=list(cookies)
    )


def _stylesheet_url() -> str:
    """The stylesheet's address with a digest of its content: browsers may keep it for a year
    and still get a changed one at once."""
    digest = hashlib.sha256((STATIC_DIR / _STYLESHEET).read_bytes()).hexdigest()[:12]
    return f"/static/{_STYLESHEET}?v={digest}"


def template_config(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.globals.update(
        service_name=SERVICE_NAME,
        stylesheet_url=_stylesheet_url(),
        contact=parseaddr(settings.mail_from)[1],
        # The organizer whose page it is (courses.services.catalogue.organizers.Front), for
        # its name and address in the header, footer and title; None: the service's own.
        organizer=None,
    )
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment))


def static_files() -> Router:
    return create_static_files_router(
        path="/static",
        directories=[STATIC_DIR],
        cache_control=CacheControlHeader(max_age=365 * 24 * 3600, public=True),
        include_in_schema=False,
    )
