"""Rate limits for the API (and the forms of the pages): moving windows, counted in Redis when
`COURSES_REDIS_URL` is set (every instance counts together), else in this process's memory.

The tight limits are per person or per secret, never per address alone: a whole municipality
may reach us through one address. Keys never hold a whole secret: a token is counted by its
first characters.

Redis failing must not stop registrations: the limits then fail open. One warning a minute
says so in the log, `courses_rate_limit_storage_up` says so in /metrics, and Redis is asked
again every few seconds, so the limits come back without a restart.
"""

from __future__ import annotations

import bisect
import hashlib
import inspect
import ipaddress
import logging
import math
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from litestar import Request

from courses.domain.addresses import normalize_email
from courses.domain.errors import RegistrationNotFound
from courses.domain.permissions import Actor
from courses.metrics import Metrics
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
_ASK_AGAIN_AFTER = 5.0  # seconds without asking Redis once it failed
_WARN_EVERY = 60.0  # seconds between warnings while Redis stays out of reach
_REDIS_TIMEOUT = 0.5  # seconds a request waits for Redis before it goes on unlimited
_REDIS_PREFIX = "courses-limits"
logger = logging.getLogger(__name__)
_T = TypeVar("_T")


class _SweepingMemoryStorage(MemoryStorage):
    """limits' memory storage, sweeping expired entries once a minute instead of after every
    hit, and dropping the keys it emptied.

    Its own schedule starts a thread 10 ms after any hit that walks every key; under a rush
    with thousands of mailbox keys that walk holds the GIL for milliseconds, back to back, and
    slows every request. A moving window is read from its own timestamps, so sweeping less
    often only keeps expired entries in memory a little longer. Its own sweep also leaves an
    empty list under every key it ever saw: one per person and course that registered, kept
    for the life of the process (about 200 bytes a registration). The hooks are private to
    limits (name-mangled), hence the explicit names; the lock files pin the version.
    """

    def __init__(self) -> None:
        self._next_sweep = 0.0
        super().__init__()

    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep and not self.timer.is_alive():
            self._next_sweep = now + _SWEEP_EVERY
            self.timer = threading.Timer(0.01, self.sweep)
            self.timer.daemon = True
            self.timer.start()

    def _MemoryStorage__expire_events(self) -> None:
        self.sweep()  # the timer limits' own __init__ starts

    def sweep(self, now: float | None = None) -> None:
        """Drop expired entries, and every key left with none (`now`: a time.time())."""
        now = time.time() if now is None else now
        for key in list(self.events):
            with self.locks[key]:
                events = self.events.get(key)
                if events:  # newest first: cut the tail that expired
                    del events[bisect.bisect_left(events, -now, key=lambda e: -e.expiry) :]
                if not events:
                    self.events.pop(key, None)
                    self.locks.pop(key, None)
        for key, expires in list(self.expirations.items()):
            if expires <= now:
                self.storage.pop(key, None)
                self.expirations.pop(key, None)
                self.locks.pop(key, None)


def _item(rate: Rate | None) -> RateLimitItem | None:
    return None if rate is None else RateLimitItemPerSecond(rate.count, rate.seconds)


class _FailOpen:
    """The moving-window limiter over a storage that may fail (Redis): a failure lets the
    request through, and the storage is not asked again for `_ASK_AGAIN_AFTER` seconds.

    Redis is asked through limits' asyncio client, so a request waiting for Redis lets the
    event loop serve the others (the blocking client stopped every request of the process
    for each round trip); the memory storage answers at once and is asked directly."""

    def __init__(self, storage: Storage | AsyncStorage, metrics: Metrics | None) -> None:
        self._limiter: MovingWindowRateLimiter | AsyncMovingWindowRateLimiter = (
            AsyncMovingWindowRateLimiter(storage)
            if isinstance(storage, AsyncStorage)
            else MovingWindowRateLimiter(storage)
        )
        self._metrics = metrics
        self._resume_at = 0.0
        self._next_warning = 0.0
        self._down = False
        if metrics is not None:
            metrics.set_rate_limit_storage(up=True)

    async def hit(self, item: RateLimitItem, *key: str) -> bool:
        return await self._ask(lambda: self._limiter.hit(item, *key), allowed=True)

    async def test(self, item: RateLimitItem, *key: str) -> bool:
        return await self._ask(lambda: self._limiter.test(item, *key), allowed=True)

    async def reset_time(self, item: RateLimitItem, *key: str) -> float:
        stats = await self._ask(lambda: self._limiter.get_window_stats(item, *key), allowed=None)
        return time.time() + 1 if stats is None else stats.reset_time

    async def _ask(self, call: Callable[[], _T | Awaitable[_T]], *, allowed: _T) -> _T:
        now = time.monotonic()
        if now < self._resume_at:
            return allowed
        try:
            answer = call()
            if inspect.isawaitable(answer):
                answer = await answer
        except StorageError as exc:
            self._resume_at = now + _ASK_AGAIN_AFTER
            self._went_down(now, exc)
            return allowed
        if self._down:
            self._down = False
            logger.warning("rate limits: Redis answers again; the limits apply again")
            if self._metrics is not None:
                self._metrics.set_rate_limit_storage(up=True)
        return answer

    def _went_down(self, now: float, exc: StorageError) -> None:
        self._down = True
        if self._metrics is not None:
            self._metrics.set_rate_limit_storage(up=False)
        if now >= self._next_warning:
            self._next_warning = now + _WARN_EVERY
            cause = type(exc.storage_error).__name__ if exc.storage_error else "error"
            logger.warning(
                "rate limits: Redis cannot be reached (%s); requests go on without limits",
                cause,
            )


def _storage(settings: Settings) -> Storage | AsyncStorage:
    if settings.redis_url is None:
        return _SweepingMemoryStorage()
    return RedisStorage(
        settings.redis_url,
        implementation="redispy",
        key_prefix=_REDIS_PREFIX,
        wrap_exceptions=True,
        socket_timeout=_REDIS_TIMEOUT,
        socket_connect_timeout=_REDIS_TIMEOUT,
    )


class RateLimits:
    """The app's limits. Made by the app factory; `rate_limits(request)` finds them."""

    def __init__(
        self,
        settings: Settings,
        *,
        metrics: Metrics | None = None,
        storage: Storage | AsyncStorage | None = None,
    ) -> None:
        self._window = _FailOpen(storage or _storage(settings), metrics)
        self._registration = _item(settings.registration_rate)
        self._client_registration = _item(settings.client_registration_rate)
        self._token = _item(settings.token_rate)
        self._unknown_token = _item(settings.unknown_token_rate)
        self._sign_in = _item(settings.sign_in_rate)
        self._client_sign_in = _item(settings.client_sign_in_rate)
        self._message = _item(settings.message_rate)
        self._my_registrations = _item(settings.my_registrations_rate)
        self._client_my_registrations = _item(settings.client_my_registrations_rate)

    async def hit(self, item: RateLimitItem | None, *key: str) -> None:
        """Count one request under `key`; `TooManyRequests` when the window is full."""
        if item is not None and not await self._window.hit(item, *key):
            raise TooManyRequests(await self._retry_after(item, *key))

    async def check(self, item: RateLimitItem | None, *key: str) -> None:
        """Refuse if one more request would not fit, without counting this one."""
        if item is not None and not await self._window.test(item, *key):
            raise TooManyRequests(await self._retry_after(item, *key))

    async def _retry_after(self, item: RateLimitItem, *key: str) -> int:
        reset_at = await self._window.reset_time(item, *key)
        return max(1, math.ceil(reset_at - time.time()))

    async def registration(
        self, request: Request[Any, Any, Any], *, course: str, email: str
    ) -> None:
        """One registration attempt: counted per client address (a generous ceiling) and per
        course and mailbox (`Kim+a@…` and `kim@…` are one person)."""
        await self.hit(self._client_registration, "registration-client", client_key(request))
        await self.hit(self._registration, "registration", course, _mailbox(email))

    @asynccontextmanager
    async def token_lookup(
        self, request: Request[Any, Any, Any], token: str
    ) -> AsyncIterator[None]:
        """Around a look-up by manage token: counted per token, and an unknown token also
        counts against the client address; past its limit, unknown tokens answer 429 instead
        of 404. A valid token is never refused for the guesses of others at the same address
        (a municipality's staff may share one)."""
        await self.hit(self._token, "token", token[:_TOKEN_PREFIX])
        try:
            yield
        except RegistrationNotFound:
            await self.count_link_guess(request)
            raise

    async def sign_in(self, request: Request[Any, Any, Any], *, email: str) -> None:
        """One request for a sign-in link: counted per client address and per mailbox before
        anyone knows whether the address is staff's, so a refusal tells nothing about it."""
        await self.hit(self._client_sign_in, "sign-in-client", client_key(request))
        await self.hit(self._sign_in, "sign-in", _mailbox(email))

    async def my_registrations(self, request: Request[Any, Any, Any], *, email: str) -> None:
        """One request for a mailbox's list of registrations (`/mina-anmalningar`): counted per
        client address and per mailbox before anyone knows whether it has registrations."""
        await self.hit(
            self._client_my_registrations, "my-registrations-client", client_key(request)
        )
        await self.hit(self._my_registrations, "my-registrations", _mailbox(email))

    async def check_message(self, actor: Actor) -> None:
        """Before a message to a course's people is sent: refused once its sender has sent
        their share. Counted by `count_message` only once it went out, so a draft refused
        for a field costs nothing."""
        await self.check(self._message, "message", _sender(actor))

    async def count_message(self, actor: Actor) -> None:
        """A message went out; never refused (the mails are queued already)."""
        if self._message is not None:
            await self._window.hit(self._message, "message", _sender(actor))

    async def count_link_guess(self, request: Request[Any, Any, Any]) -> None:
        """A link that opened nothing (manage, approval or sign-in link): one guess by this
        client address; `TooManyRequests` once it guessed too often. Only unknown links are
        counted and refused, so a valid link always opens."""
        await self.hit(self._unknown_token, "unknown-token", client_key(request))


def _mailbox(email: str) -> str:
    """A mailbox as a key: hashed, so that the counters (in Redis, perhaps on another host)
    hold no address."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:24]


def _sender(actor: Actor) -> str:
    """A message's sender: the person (by address) however they signed in, or the token."""
    return _mailbox(actor.leader_key) if actor.leader_key else actor.label


def rate_limits(request: Request[Any, Any, Any]) -> RateLimits:
    limits = request.app.state[STATE_KEY]
    assert isinstance(limits, RateLimits)
    return limits


def client_key(request: Request[Any, Any, Any]) -> str:
    """Who is asking: the peer, or behind a trusted proxy the client it names
    (courses.api.http.proxies). An IPv6 client counts by its /64, which one household or
    office usually gets whole."""
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
