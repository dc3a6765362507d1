"""CSRF protection of the pages' forms (Litestar's double-submit cookie with an HMAC)."""

from __future__ import annotations

import hashlib
import hmac

from litestar.config.csrf import CSRFConfig

from courses.settings import Settings

__all__ = ["CSRF_COOKIE", "csrf_config"]

CSRF_COOKIE = "courses_csrf"


def csrf_config(settings: Settings) -> CSRFConfig:
    """Every POST outside `/api` must carry the form's token matching its cookie.

    The JSON API is left out: its protection is that it takes only `application/json` bodies,
    which a page on another site cannot send without a CORS preflight. The key is derived
    from the secret key, so it never equals the key of the manage links.
    """
    secret = hmac.new(settings.secret_key.encode(), b"courses-csrf", hashlib.sha256).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,
        cookie_secure=settings.base_url.startswith("https://"),
        cookie_samesite="lax",
        exclude=["^/api/"],
    )
