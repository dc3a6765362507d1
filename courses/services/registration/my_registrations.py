"""`/mina-anmalningar`: someone gives an address and that mailbox gets one mail listing its
registrations still on, each with its manage link (the links are derived from the stored
nonces when the mail is built, `courses.services.outbox.listing`).

The answer is the same whatever the address: callers never show what this returns. A mailbox
gets the list at most once every `LIST_EVERY` (plus once more for a registration made since);
the HTTP layer also limits the requests per address and per client.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from courses.domain.addresses import normalize_email
from courses.services.context import ServiceContext
from courses.services.notices import notice, queue
from courses.storage import mailbox
from courses.storage.payloads import MyRegistrations

__all__ = ["LIST_EVERY", "mail_my_registrations"]

log = logging.getLogger(__name__)

LIST_EVERY = timedelta(minutes=10)
"""How often one mailbox may get its list: asking again and again mails no more."""


async def mail_my_registrations(ctx: ServiceContext, email: str) -> bool:
    """Queue the list mail to the mailbox of `email` if it has registrations still on and was
    not sent its list (or a link again) within `LIST_EVERY`; whether a mail was queued.

    The mail goes to the address of the mailbox's newest such registration, never to the
    address typed (which may carry another `+tag`): only an address that registered gets it.
    The stamp is the registrations' `resent_at`, the same as "the link was mailed again".
    """
    key = normalize_email(email)
    now = ctx.clock.now()
    today = now.astimezone(ctx.tz).date()
    async with ctx.db.write() as conn:
        ids = await mailbox.stamp_listed(
            conn, email_key=key, today=today, now=now, not_since=now - LIST_EVERY
        )
        if ids:
            await queue(conn, [notice(ids[-1], MyRegistrations())], now=now)
    if ids:
        ctx.mail_signal.notify()
    # No address in the log: the registration id is enough to follow the mail.
    if ids:
        log.info("my registrations: list of %d queued to registration %d", len(ids), ids[-1])
    else:
        log.info("my registrations: asked, nothing to send")
    return bool(ids)
