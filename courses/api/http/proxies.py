"""The client behind a reverse proxy: `X-Forwarded-For` and `X-Forwarded-Proto` are believed
only when the direct peer is one of `COURSES_TRUSTED_PROXIES`.

uvicorn's own handling is switched off (`proxy_headers=False` in `courses serve`): it trusts
127.0.0.1 by default, so anything on the host could name its client address and walk past
the per-client limits. Here the scope is rewritten in place, before anything reads it, so the
rate limits, the logs and uvicorn's access line all see the real client.

The client is the right-most address of the chain that is not itself a trusted proxy: what
the client wrote into the header itself stands left of what our proxies appended, and is
never believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ["TrustedProxies", "forwarded_client", "install_trusted_proxies", "networks"]

_FOR = b"x-forwarded-for"
_PROTO = b"x-forwarded-proto"


_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(proxies: Sequence[str]) -> tuple[IPNetwork, ...]:
    """The settings' proxies (checked when read) as networks."""
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text: str) -> _IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: _IPAddress | None, proxies: Sequence[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in proxies)


def forwarded_client(chain: str, proxies: Sequence[IPNetwork]) -> str | None:
    """The client address in an `X-Forwarded-For` chain that reached us through `proxies`:
    the right-most entry that is not a trusted proxy. Where that entry is garbage (`unknown`),
    the nearest proxy that passed it on stands for the client; None when not even that is
    known (then the peer itself is the client)."""
    entries = [entry for entry in chain.split(",") if entry.strip()]
    nearest: str | None = None
    for entry in reversed(entries):
        address = _address(entry)
        if address is None:
            return nearest
        if not _trusted(address, proxies):
            return str(address)
        nearest = str(address)
    return nearest  # every hop was one of ours: the left-most is as near the client as we know


class TrustedProxies:
    """ASGI wrapper: from a trusted peer, take the client and the scheme from its headers."""

    def __init__(self, app: ASGIApp, *, proxies: Sequence[IPNetwork]) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and self.proxies:
            self._rewrite(scope)
        await self.app(scope, receive, send)

    def _rewrite(self, scope: Scope) -> None:
        peer = scope.get("client")
        if not peer or not _trusted(_address(peer[0]), self.proxies):
            return
        chain: list[str] = []
        proto = None
        for name, value in scope["headers"]:
            if name == _FOR:
                chain.append(value.decode("latin-1"))
            elif name == _PROTO:
                proto = value.decode("latin-1")
        if chain:
            client = forwarded_client(",".join(chain), self.proxies)
            if client is not None:
                scope["client"] = (client, 0)
        if proto is not None:
            # The hop nearest us appended last: a client's own value stands left of it.
            scheme = proto.split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                scope["scheme"] = scheme


def install_trusted_proxies(app: Litestar, proxies: Sequence[str]) -> Litestar:
    """Wrap `app`'s handler, outermost, so the request id's log lines see the real client."""
    if proxies:
        app.asgi_handler = TrustedProxies(app.asgi_handler, proxies=networks(proxies))
    return app
