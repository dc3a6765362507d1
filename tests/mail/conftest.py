"""Mail fixtures: a worker that sends to the real SMTP server of the `smtp` fixture."""

from __future__ import annotations

from datetime import timedelta

import pytest

from courses.mail.transport import SmtpTransport
from courses.mail.worker import MailWorker
from courses.services.context import ServiceContext
from tests.mail.smtp_server import CLIENT_TIMEOUT, SmtpServer


@pytest.fixture
def worker(seeded: ServiceContext, smtp: SmtpServer) -> MailWorker:
    """A worker over the seeded database, sending to `smtp`."""
    transport = SmtpTransport(smtp.url, timeout=CLIENT_TIMEOUT)
    return MailWorker(seeded, transport, name="test-worker", lease=timedelta(minutes=5))
