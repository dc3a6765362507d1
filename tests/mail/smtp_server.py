"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), with scripted answers.

It runs in its own thread (aiosmtpd's `Controller`), so it serves the services under test, the
app in Litestar's test client and a uvicorn server alike. It can be stopped and started again on
the same port to play an SMTP outage.
"""

from __future__ import annotations

import gc
import socket
import threading
import warnings
from collections import deque
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

__all__ = ["CLIENT_TIMEOUT", "SmtpServer", "collect_server_leftovers"]

CLIENT_TIMEOUT = 30.0
"""Seconds a test's SMTP client waits for this server. The server shares the test process's
GIL with the code under test, so on a loaded CI machine an answer can take seconds: a short
timeout turned a slow answer into a retry and made exact counts flaky. Tests that play an
outage stop the server (connection refused at once), so they never wait for this."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def collect_server_leftovers() -> None:
    """After an aiosmtpd `Controller.stop()`: stopping the server's loop leaves the server side
    of a connection that was closing unfinished; collect those now, silently, rather than have
    their ResourceWarning land in whichever later test the garbage collector runs in.

    What survives the collection is frozen (`gc.freeze`), so the next collection walks only
    what was made since: a test process holds millions of objects by its last tests, and a
    full collection at each SMTP server's stop took 10-20 s there (CI had grown to 40
    minutes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    gc.freeze()


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self._server._receive(envelope, session.peer)


class SmtpServer:
    """Records every accepted message; `answer(...)` scripts the replies to the next DATAs."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.peers: list[tuple[str, int]] = []
        """The client address and port of every accepted message: one per connection."""
        self._answers: deque[str] = deque()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
            collect_server_leftovers()

    def answer(self, *replies: str) -> None:
        """The next DATA commands get these replies (e.g. "451 4.3.0 Try later") in turn."""
        with self._lock:
            self._answers.extend(replies)

    def _receive(self, envelope: Any, peer: tuple[str, int]) -> str:
        with self._lock:
            if self._answers:
                return self._answers.popleft()
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.peers.append(peer)
            return "250 2.0.0 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if address in str(m["To"])]
