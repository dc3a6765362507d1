"""Who is asking, on the staff side: a bearer token, or a signed-in browser's session cookie.

Programs send `Authorization: Bearer crs_...`. Browsers carry the session cookie; under
`/api` it counts only for reading (GET, HEAD: the page's export links), so no other site can
make a signed-in browser change anything through the API; the pages' own forms carry CSRF
tokens. The staff handlers take `actor: Actor` (the `actor` dependency) and never see how it
was proven. Proving it is `services.staff.api_tokens` and `services.staff.sign_in`; what the
actor may then do is `services.permissions`' question, not this module's.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.di import Provide

from courses.api.http.dependencies import provide_ctx
from courses.api.http.paths import is_api_path
from courses.domain.errors import Unauthorized
from courses.domain.permissions import Actor
from courses.services.staff import api_tokens, sign_in

__all__ = [
    "SESSION_COOKIE",
    "actor_dependency",
    "clear_session_cookie",
    "optional_actor",
    "require_actor",
    "session_cookie",
]

SESSION_COOKIE = "courses_staff"
_SAFE = frozenset({"GET", "HEAD"})


async def optional_actor(request: Request[Any, Any, Any]) -> Actor | None:
    ctx = provide_ctx(request.app.state)
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return await api_tokens.actor_for_token(ctx, credentials.strip())
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    if is_api_path(request.url.path) and request.method not in _SAFE:
        return None
    return await sign_in.actor_for_session(ctx, cookie)


async def require_actor(request: Request[Any, Any, Any]) -> Actor:
    """The actor, or 401 (a page answers with the sign-in page instead)."""
    actor = await optional_actor(request)
    if actor is None:
        raise Unauthorized(
            "Logga in först: med en token (Authorization: Bearer ...) eller på /logga-in."
        )
    return actor


def actor_dependency() -> dict[str, Provide]:
    return {"actor": Provide(require_actor)}


def session_cookie(request: Request[Any, Any, Any], value: str) -> Cookie:
    """HttpOnly, SameSite=Lax (the mailed link's page posts from this site), Secure when the
    service is reached over https."""
    base_url = str(request.app.state.get("base_url", ""))
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=base_url.startswith("https://"),
        max_age=int(sign_in.SESSION_VALID.total_seconds()),
    )


def clear_session_cookie(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
