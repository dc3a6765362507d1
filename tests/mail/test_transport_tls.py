"""SMTP with STARTTLS and login (`smtp://user:password@host`) and with TLS from the start
(`smtps://`), against a real aiosmtpd server holding a certificate made for the test."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from courses.mail.content import MailContent
from courses.mail.message import Outgoing, build_message
from courses.mail.transport import SmtpTransport, TemporaryFailure
from courses.settings import Settings
from tests.mail.smtp_server import collect_server_leftovers

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Recorder:
    def __init__(self) -> None:
        self.received: list[tuple[bool, str | None, bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login.decode() if session.auth_data else None
        with self.lock:
            self.received.append((session.ssl is not None, login, envelope.content))
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"kurs", b"hemlig")
    return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def serve(controller: Controller, recorder: Recorder) -> Iterator[tuple[int, Recorder]]:
    controller.start()
    try:
        yield controller.port, recorder
    finally:
        controller.stop()
        collect_server_leftovers()


@pytest.fixture
def starttls_server(server_context: ssl.SSLContext) -> Iterator[tuple[int, Recorder]]:
    recorder, port = Recorder(), free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticate,
    )
    yield from serve(controller, recorder)


@pytest.fixture
def smtps_server(server_context: ssl.SSLContext) -> Iterator[tuple[int, Recorder]]:
    recorder, port = Recorder(), free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        ssl_context=server_context,
        auth_required=True,
        # aiosmtpd does not see implicit TLS as TLS; the connection is encrypted all the same.
        auth_require_tls=False,
        authenticator=authenticate,
    )
    yield from serve(controller, recorder)


def mail() -> Outgoing:
    return build_message(
        MailContent(subject="Anmälan bekräftad", text="Hej!\n", html="<p>Hej!</p>\n"),
        to_name="Åsa Öberg",
        to_email="asa.oberg@vaxjo.se",
        token="tls0001",
        settings=Settings(),
        now=datetime(2022, 3, 1, 9, tzinfo=UTC),
        name="tls",
    )


async def send(transport: SmtpTransport) -> None:
    async with transport.connect() as connection:
        await connection.send(mail())


async def test_smtp_url_upgrades_with_starttls_and_logs_in(
    starttls_server: tuple[int, Recorder], client_context: ssl.SSLContext
) -> None:
    port, recorder = starttls_server

    await send(SmtpTransport(f"smtp://kurs:hemlig@127.0.0.1:{port}", tls_context=client_context))

    ((encrypted, login, content),) = recorder.received
    assert encrypted
    assert login == "kurs"
    assert b"Message-ID: <tls0001@localhost>" in content


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
async def test_smtps_url_speaks_tls_from_the_start(
    smtps_server: tuple[int, Recorder], client_context: ssl.SSLContext
) -> None:
    port, recorder = smtps_server

    await send(SmtpTransport(f"smtps://kurs:hemlig@127.0.0.1:{port}", tls_context=client_context))

    ((_, login, _),) = recorder.received
    assert login == "kurs"


async def test_a_wrong_password_is_a_temporary_failure_the_admin_can_read(
    starttls_server: tuple[int, Recorder], client_context: ssl.SSLContext
) -> None:
    port, recorder = starttls_server
    transport = SmtpTransport(
        f"smtp://kurs:fel@127.0.0.1:{port}", tls_context=client_context, timeout=3
    )

    with pytest.raises(TemporaryFailure, match="535") as failure:
        await send(transport)

    assert failure.value.connection_lost
    assert "fel" not in str(failure.value)  # the password is never in the error
    assert recorder.received == []
