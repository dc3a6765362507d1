"""Pages reached by the secret token of a mailed link: the registrant's (`/anmalan/{token}`) and
the manager's (`/godkann/{token}`). Both handle their token alike, through this module.

Every look-up is rate limited per token and, once a client has guessed too many unknown tokens,
per client address, as the API's token routes are (`courses.api.http.ratelimit`); an unknown
token is the service's `RegistrationNotFound`, which the error pages answer with a 404 page.
Every answer is private: the address is the secret, so it is never sent on as a Referer nor
stored (`Referrer-Policy: no-referrer`, `Cache-Control: no-store`), a redirect included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from litestar import Request
from litestar.params import FromPath
from litestar.response import Template

from courses.api.http.ratelimit import rate_limits
from courses.api.pages.templating import page
from courses.services.context import ServiceContext

__all__ = ["Token", "look_up", "token_lookup", "token_page"]

Token = FromPath[str]
"""The token as it arrives in the path."""

T = TypeVar("T")


@asynccontextmanager
async def token_lookup(request: Request[Any, Any, Any], token: str) -> AsyncIterator[None]:
    """Around whatever uses the token: counted as one look-up of it, and as one guess by this
    client if the token turns out unknown."""
    async with rate_limits(request).token_lookup(request, token):
        yield


async def look_up(
    ctx: ServiceContext,
    request: Request[Any, Any, Any],
    token: str,
    find: Callable[[ServiceContext, str], Awaitable[T]],
) -> T:
    """`find(ctx, token)`, within `token_lookup`."""
    async with token_lookup(request, token):
        return await find(ctx, token)


def token_page(template: str, context: Mapping[str, Any], *, status: int = 200) -> Template:
    """A page whose address holds the token: private."""
    return page(template, context, status=status, private=True)
