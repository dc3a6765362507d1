"""Staff access: sign-in by a mailed one-time link, browser sessions, and who an actor is.

A person asks for a link with their address; the request is queued as it is, and the mail
worker decides: if the address belongs to an admin or appears as a leader of some course (and
its organizer has not turned the mailed link off for its provider's domains), a
link is mailed (through the outbox), valid once for 15 minutes; otherwise nothing is sent. The
answer, and the work behind it, are the same whether or not the address is known. Opening the
link shows a button; the POST spends the link (one conditional UPDATE) and starts a session
whose cookie value is a random token with an HMAC signature (`session_cookie`); only the
token's hash is stored, so signing out ends it for good. Rights are read from the database on
every request, so removing an admin or a course's leader takes effect at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from courses.domain.addresses import normalize_email
from courses.domain.permissions import Actor, Role
from courses.services.context import ServiceContext
from courses.services.staff.oidc_settings import link_allowed_in
from courses.services.tokens import hash_token, new_token
from courses.storage import course_leaders, sign_in_requests, staff
from courses.storage.outbox import NewMail, enqueue
from courses.storage.payloads import SignIn

__all__ = [
    "DECIDE_AFTER",
    "LINK_VALID",
    "SESSION_VALID",
    "SignedIn",
    "actor_for_email",
    "actor_for_session",
    "admit_sign_in_requests",
    "confirm_sign_in",
    "is_staff",
    "link_is_usable",
    "request_sign_in",
    "sign_out",
    "start_session",
]

LINK_VALID = timedelta(minutes=15)
SESSION_VALID = timedelta(hours=10)
"""A working day: a leader marking attendance after the last session need not sign in again."""

DECIDE_AFTER = 1.0
"""Seconds after a request for a link that the mail worker is woken to decide it."""

_LINKS_PER_ADDRESS = 5
"""Unspent, unexpired links one address may hold: asking again and again mails no more."""


@dataclass(frozen=True, slots=True)
class SignedIn:
    cookie: str
    actor: Actor


def _signature(secret_key: str, token: str) -> str:
    digest = hmac.new(secret_key.encode(), f"staff-session:{token}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:18]).decode()


def session_cookie(secret_key: str, token: str) -> str:
    return f"{token}.{_signature(secret_key, token)}"


def _cookie_token(secret_key: str, cookie: str) -> str | None:
    """The session token of a cookie whose signature holds; a forged one never reaches SQL."""
    token, _, signature = cookie.partition(".")
    if not token or not hmac.compare_digest(signature, _signature(secret_key, token)):
        return None
    return token


async def actor_for_email(ctx: ServiceContext, email: str) -> Actor:
    """The rights of a person: admin roles from their accounts, leader by their address."""
    key = normalize_email(email)
    async with ctx.db.read() as conn:
        found = await staff.accounts(conn, email_key=key)
    return Actor(
        label=email,
        leader_key=key,
        admin_of=frozenset(
            a.organizer_id for a in found if a.role == Role.ADMIN and a.organizer_id is not None
        ),
        superadmin=any(a.role == Role.SUPERADMIN for a in found),
    )


async def is_staff(ctx: ServiceContext, email: str) -> bool:
    """Whether the address belongs to an admin or leads some course."""
    async with ctx.db.read() as conn:
        return await _is_staff(conn, email)


async def _is_staff(conn: AsyncConnection, email: str) -> bool:
    """Two index look-ups (accounts, course leaders), whatever the number of courses."""
    key = normalize_email(email)
    if await staff.accounts(conn, email_key=key):
        return True
    return await course_leaders.leads_any(conn, key)


async def request_sign_in(ctx: ServiceContext, email: str) -> None:
    """Ask for a sign-in link: queue the request for the mail worker, which mails a link if
    the address is staff's and drops the request otherwise (`admit_sign_in_requests`).

    The same statements run whoever asks, so neither the answer nor its time tells whether an
    address is known. The caller has counted the attempt against its rate limits already.
    """
    async with ctx.db.write() as conn:
        await sign_in_requests.add_request(conn, email=email.strip(), now=ctx.clock.now())
    # The worker is woken a moment later, not now: woken now, its work for a staff address (a
    # link, a mail) would follow this answer at once and slow the next request in the same
    # process, which a prober could time instead.
    ctx.mail_signal.notify_after(DECIDE_AFTER)


async def admit_sign_in_requests(ctx: ServiceContext, *, limit: int = 100) -> int:
    """Decide the waiting requests (the mail worker calls this before each claim); returns
    how many links were mailed. A staff member's request becomes a link valid for 15 minutes
    and its mail; an unknown address's, one older than a link's validity, one from an
    address holding five live links already, or one from an address whose organizer signs
    it in with its provider only (`sign_in = "oidc"`), is dropped: nothing is sent or kept."""
    async with ctx.db.read() as conn:
        if not await sign_in_requests.has_requests(conn):
            return 0
    now = ctx.clock.now()
    queued = 0
    async with ctx.db.write() as conn:
        for request in await sign_in_requests.take_requests(conn, limit=limit):
            if request.created_at + LINK_VALID <= now:
                continue
            if not await _is_staff(conn, request.email):
                continue
            if not await link_allowed_in(conn, request.email):
                continue
            if await _mail_link(conn, ctx, request.email, now=now):
                queued += 1
    if queued:
        ctx.mail_signal.notify()
    return queued


async def _mail_link(
    conn: AsyncConnection, ctx: ServiceContext, email: str, *, now: datetime
) -> bool:
    key = normalize_email(email)
    if await staff.live_links(conn, email_key=key, now=now) >= _LINKS_PER_ADDRESS:
        return False
    token, nonce = new_token(ctx.settings.secret_key)
    link_id = await staff.create_link(
        conn,
        email=email,
        email_key=key,
        token_hash=hash_token(token),
        nonce=nonce,
        now=now,
        expires_at=now + LINK_VALID,
    )
    await enqueue(conn, [NewMail(None, SignIn(), sign_in_id=link_id)], now=now)
    return True


async def link_is_usable(ctx: ServiceContext, token: str) -> bool:
    """Whether a sign-in link would still sign in (for its page; changes nothing)."""
    async with ctx.db.read() as conn:
        found = await staff.link_by_hash(conn, hash_token(token))
    return found is not None and found.used_at is None and found.expires_at > ctx.clock.now()


async def confirm_sign_in(ctx: ServiceContext, token: str) -> SignedIn | None:
    """Spend the link and start a session; None when the link is unknown, used or expired."""
    now = ctx.clock.now()
    async with ctx.db.write() as conn:
        email = await staff.spend_link(conn, hash_token(token), now=now)
        if email is None:
            return None
        cookie = await start_session(conn, ctx, email, now=now)
    return SignedIn(cookie, await actor_for_email(ctx, email))


async def start_session(
    conn: AsyncConnection, ctx: ServiceContext, email: str, *, now: datetime
) -> str:
    """A staff session for `email` (signed in by a mailed link or at a provider), in the
    caller's transaction; returns the session cookie's value."""
    session_token = secrets.token_urlsafe(32)
    await staff.create_session(
        conn,
        token_hash=hash_token(session_token),
        email=email,
        email_key=normalize_email(email),
        now=now,
        expires_at=now + SESSION_VALID,
    )
    return session_cookie(ctx.settings.secret_key, session_token)


async def actor_for_session(ctx: ServiceContext, cookie: str) -> Actor | None:
    token = _cookie_token(ctx.settings.secret_key, cookie)
    if token is None:
        return None
    async with ctx.db.read() as conn:
        found = await staff.session_by_hash(conn, hash_token(token), now=ctx.clock.now())
    if found is None:
        return None
    return await actor_for_email(ctx, found[0])


async def sign_out(ctx: ServiceContext, cookie: str) -> None:
    token = _cookie_token(ctx.settings.secret_key, cookie)
    if token is None:
        return
    async with ctx.db.write() as conn:
        await staff.end_session(conn, hash_token(token), now=ctx.clock.now())
