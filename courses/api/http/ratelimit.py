"""Rate limits for the API (and the forms of the pages): moving windows, in this process's memory.

The tight limits are per person or per secret, never per address alone: a whole municipality
may reach us through one address. Memory storage means each instance counts for itself, so
behind a load balancer the effective limit is the sum; these are brakes on abuse, not quotas.
Keys never hold a whole secret: a token is counted by its first characters.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from litestar import Request

from courses.domain.addresses import normalize_email
from courses.domain.errors import RegistrationNotFound
from courses.domain.permissions import Actor
from courses.settings import Rate, Settings

__all__ = ["STATE_KEY", "RateLimits", "TooManyRequests", "client_key", "rate_limits"]

STATE_KEY = "rate_limits"
"""Where the app factory puts its `RateLimits` in the app state (one per app, none global)."""
# 12 of a token's 43 characters: 72 bits tell tokens apart, and are useless as a link.
_TOKEN_PREFIX = 12


class TooManyRequests(Exception):
    """A limit is reached; `retry_after` is how many seconds until one more request fits."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


_SWEEP_EVERY = 60.0  # seconds between sweeps of expired entries


class _SweepingMemoryStorage(MemoryStorage):
    """limits' memory storage, sweeping expired entries once a minute instead of after every hit.

    Its own schedule starts a thread 10 ms after any hit that walks every key; under a rush
    with thousands of mailbox keys that walk holds the GIL for milliseconds, back to back, and
    slows every request. A moving window is read from its own timestamps, so sweeping less
    often only keeps expired entries in memory a little longer. The hook is private to limits
    (name-mangled), hence the explicit name; the lock files pin the version.
    """

    def __init__(self) -> None:
        self._next_sweep = 0.0
        super().__init__()

    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep and not self.timer.is_alive():
            self._next_sweep = now + _SWEEP_EVERY
            sweep = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
            self.timer = threading.Timer(0.01, sweep)
            self.timer.daemon = True
            self.timer.start()


def _item(rate: Rate | None) -> RateLimitItem | None:
    return None if rate is None else RateLimitItemPerSecond(rate.count, rate.seconds)


class RateLimits:
    """The app's limits. Made by the app factory; `rate_limits(request)` finds them."""

    def __init__(self, settings: Settings) -> None:
        self._window = MovingWindowRateLimiter(_SweepingMemoryStorage())
        self._registration = _item(settings.registration_rate)
        self._client_registration = _item(settings.client_registration_rate)
        self._token = _item(settings.token_rate)
        self._unknown_token = _item(settings.unknown_token_rate)
        self._sign_in = _item(settings.sign_in_rate)
        self._client_sign_in = _item(settings.client_sign_in_rate)
        self._message = _item(settings.message_rate)

    def hit(self, item: RateLimitItem | None, *key: str) -> None:
        """Count one request under `key`; `TooManyRequests` when the window is full."""
        if item is not None and not self._window.hit(item, *key):
            raise TooManyRequests(self._retry_after(item, *key))

    def check(self, item: RateLimitItem | None, *key: str) -> None:
        """Refuse if one more request would not fit, without counting this one."""
        if item is not None and not self._window.test(item, *key):
            raise TooManyRequests(self._retry_after(item, *key))

    def _retry_after(self, item: RateLimitItem, *key: str) -> int:
        reset_at = self._window.get_window_stats(item, *key).reset_time
        return max(1, math.ceil(reset_at - time.time()))

    def registration(self, request: Request[Any, Any, Any], *, course: str, email: str) -> None:
        """One registration attempt: counted per client address (a generous ceiling) and per
        course and mailbox (`Kim+a@…` and `kim@…` are one person)."""
        self.hit(self._client_registration, "registration-client", client_key(request))
        self.hit(self._registration, "registration", course, normalize_email(email))

    @contextmanager
    def token_lookup(self, request: Request[Any, Any, Any], token: str) -> Iterator[None]:
        """Around a look-up by manage token: counted per token, and an unknown token also
        counts against the client address, which is refused once it guessed too often."""
        client = client_key(request)
        self.check(self._unknown_token, "unknown-token", client)
        self.hit(self._token, "token", token[:_TOKEN_PREFIX])
        try:
            yield
        except RegistrationNotFound:
            self.hit(self._unknown_token, "unknown-token", client)
            raise

    def sign_in(self, request: Request[Any, Any, Any], *, email: str) -> None:
        """One request for a sign-in link: counted per client address and per mailbox before
        anyone knows whether the address is staff's, so a refusal tells nothing about it."""
        self.hit(self._client_sign_in, "sign-in-client", client_key(request))
        self.hit(self._sign_in, "sign-in", normalize_email(email))

    def check_message(self, actor: Actor) -> None:
        """Before a message to a course's people is sent: refused once its sender has sent
        their share. Counted by `count_message` only once it went out, so a draft refused
        for a field costs nothing."""
        self.check(self._message, "message", _sender(actor))

    def count_message(self, actor: Actor) -> None:
        """A message went out; never refused (the mails are queued already)."""
        if self._message is not None:
            self._window.hit(self._message, "message", _sender(actor))

    def check_link_guesses(self, request: Request[Any, Any, Any]) -> None:
        """Before a sign-in link is looked up: refused once this client guessed too often."""
        self.check(self._unknown_token, "unknown-token", client_key(request))

    def count_link_guess(self, request: Request[Any, Any, Any]) -> None:
        """A sign-in link that does not sign in: counts as a guess, as an unknown manage
        link does."""
        self.hit(self._unknown_token, "unknown-token", client_key(request))


def _sender(actor: Actor) -> str:
    """A message's sender: the person (by address) however they signed in, or the token."""
    return actor.leader_key or actor.label


def rate_limits(request: Request[Any, Any, Any]) -> RateLimits:
    limits = request.app.state[STATE_KEY]
    assert isinstance(limits, RateLimits)
    return limits


def client_key(request: Request[Any, Any, Any]) -> str:
    """Who is asking, as the server saw it (behind a proxy, uvicorn's `--forwarded-allow-ips`
    decides whether that is the proxy or the client). An IPv6 client counts by its /64, which
    one household or office usually gets whole."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return str(address.ipv4_mapped)  # an IPv4 client of a dual-stack socket
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
