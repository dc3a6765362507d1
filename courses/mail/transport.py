"""Where mails go: an SMTP server (aiosmtplib) or, with none configured, `.eml` files.

A transport opens a connection for a batch; `send` raises `TemporaryFailure` for what is worth
trying again later (4xx answers, refused or dropped connections, timeouts) and
`PermanentFailure` for a 5xx answer, with the server's words in both.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from courses.mail.message import Outgoing
from courses.settings import Settings

__all__ = [
    "FileTransport",
    "PermanentFailure",
    "SmtpTransport",
    "TemporaryFailure",
    "Transport",
    "transport_for",
]


class TemporaryFailure(Exception):
    """Try again later. `connection_lost`: the rest of the batch cannot go this time either."""

    def __init__(self, reason: str, *, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.connection_lost = connection_lost


class PermanentFailure(Exception):
    """The server refused for good (5xx); trying again would only repeat it."""


class Connection(Protocol):
    async def send(self, mail: Outgoing) -> None:
        """Send one message (raises TemporaryFailure or PermanentFailure)."""


class Transport(Protocol):
    def connect(self) -> AbstractAsyncContextManager[Connection]:
        """A connection for one batch."""


class _FileConnection:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def send(self, mail: Outgoing) -> None:
        target = self._directory / f"{mail.name}.eml"
        partial = target.with_suffix(".eml.part")
        try:
            partial.write_bytes(mail.data)
            # A repeat of the same row overwrites its file rather than adding one.
            os.replace(partial, target)
        except OSError as exc:
            raise TemporaryFailure(f"Kunde inte skriva {target}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class FileTransport:
    """One `.eml` file per mail in `directory`, named by time, outbox row and kind."""

    directory: Path

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Connection]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TemporaryFailure(f"Kunde inte skapa {self.directory}: {exc}") from exc
        yield _FileConnection(self.directory)

    def connect(self) -> AbstractAsyncContextManager[Connection]:
        return self._connect()


class _SmtpConnection:
    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self._client = client

    async def send(self, mail: Outgoing) -> None:
        try:
            await self._client.sendmail(mail.sender, [mail.recipient], mail.data)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            await self._reset()
            if all(code >= 500 for code in codes):
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except aiosmtplib.SMTPResponseException as exc:
            text = f"{exc.code} {exc.message}"
            lost = exc.code == 421 or not self._client.is_connected
            if not lost:
                await self._reset()
            if 500 <= exc.code < 600:
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text, connection_lost=lost) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}", connection_lost=True) from exc

    async def _reset(self) -> None:
        # After a refused message the next one starts a fresh transaction.
        with suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
            await self._client.rset()


@dataclass(frozen=True, slots=True)
class SmtpTransport:
    """`smtp://[user:password@]host[:port]` (STARTTLS when the server offers it) or
    `smtps://...` (TLS from the start)."""

    url: str
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Connection]:
        parts = urlsplit(self.url)
        implicit_tls = parts.scheme == "smtps"
        client = aiosmtplib.SMTP(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if implicit_tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit_tls,
            # None: upgrade with STARTTLS if the server offers it, plain if not.
            start_tls=None if not implicit_tls else False,
            timeout=self.timeout,
            tls_context=self.tls_context,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # A connection refused during the greeting, STARTTLS or login still has a socket.
            client.close()
            raise TemporaryFailure(
                f"Ingen förbindelse med SMTP-servern {parts.hostname}:{parts.port}: {exc}",
                connection_lost=True,
            ) from exc
        try:
            yield _SmtpConnection(client)
        finally:
            await _close(client)

    def connect(self) -> AbstractAsyncContextManager[Connection]:
        return self._connect()


def transport_for(settings: Settings) -> Transport:
    """SMTP when `COURSES_SMTP_URL` is set, else files in `COURSES_MAIL_DIR`."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    return FileTransport(settings.mail_dir)


async def _close(client: aiosmtplib.SMTP) -> None:
    """Say QUIT when the connection still works; in every case leave no socket open, also
    when the worker is being cancelled (a stopped process) while it says goodbye."""
    if not client.is_connected:
        client.close()
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()
    except BaseException:
        client.close()
        raise
