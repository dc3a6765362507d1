"""Mail fixtures: a real SMTP server on 127.0.0.1 and a worker that sends to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from tests.mail.smtp_server import SmtpServer

SENDER = "utbildning@localhost"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(seeded: ServiceContext, smtp: SmtpServer) -> MailWorker:
    """A worker over the seeded database, sending to `smtp` (short timeout: tests stop it)."""
    transport = SmtpTransport(smtp.url, timeout=5)
    return MailWorker(seeded, transport, name="test-worker", lease=timedelta(minutes=5))
