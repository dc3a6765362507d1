"""The deployment as deploy/ describes it, run for real on 127.0.0.1: Debian's nginx with the
site file from deploy/nginx/ (rendered for free test ports and a self-signed certificate) in
front of two `courses serve` processes on PostgreSQL, their rate limits counted in Redis.

nginx runs as the test's user with every path in a temporary folder (`-p`, `-e`, `-g`).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.mail.smtp_server import _free_port

__all__ = [
    "DEPLOY",
    "SECRET_KEY",
    "Instance",
    "Site",
    "flush_redis",
    "need",
    "running_site",
    "tls_context",
]

DEPLOY = Path(__file__).parents[2] / "deploy"
NGINX = Path(os.environ.get("COURSES_TEST_NGINX", "/usr/sbin/nginx"))
REDIS = ("127.0.0.1", 6379)
SECRET_KEY = "a-test-key-that-is-not-the-development-one"


def need(condition: bool, message: str) -> None:
    """Skip without `condition` locally; under CI (`CI=true`) the deploy tests are mandatory."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def flush_redis(number: int) -> None:
    """Empty Redis database `number` (the rate-limit counters of one test), or skip/fail."""
    try:
        with socket.create_connection(REDIS, timeout=5) as conn:
            conn.sendall(f"SELECT {number}\r\nFLUSHDB\r\n".encode())
            answer = b""
            while answer.count(b"\r\n") < 2:
                chunk = conn.recv(100)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        need(False, "the deploy tests need Redis on 127.0.0.1:6379: apt-get install redis-server")
        return
    assert answer == b"+OK\r\n+OK\r\n", answer


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_context(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def render_site(text: str, *, http: int, https: int, upstreams: list[int], folder: Path) -> str:
    """deploy/nginx/courses.conf with test ports and paths; each spot must be found exactly
    once, so a changed site file breaks this test rather than silently going untested."""
    cert, key = _certificate(folder)
    replacements = [
        ("    listen 80;\n", f"    listen 127.0.0.1:{http};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstreams[1]} "),
        ("/etc/letsencrypt/live/courses.example.se/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/courses.example.se/privkey.pem", str(key)),
        ("root /var/www/html;", f"root {folder};"),
    ]
    for old, new in replacements:
        assert text.count(old) == 1, f"deploy/nginx/courses.conf no longer has {old!r} once"
        text = text.replace(old, new)
    return text


_MAIN_CONF = """{user}worker_processes 1;
events {{ worker_connections 512; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/courses.conf;
}}
"""


@dataclass
class Instance:
    """One `courses serve --mail-worker off` process, as the systemd unit runs it."""

    port: int
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with (self.folder / f"serve-{self.port}.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "courses.cli", "serve", "--host", "127.0.0.1"),
                    *("--port", str(self.port), "--mail-worker", "off"),
                ],
                env=self.env,
                cwd=self.folder,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def wait_until_ready(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process is not None
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/api/health", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{self.url} never answered:\n{self.log()}")

    def stop(self, *, within: float = 30) -> int:
        """SIGTERM, as systemd stops it; the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.url} did not stop within {within} s of SIGTERM") from None

    def log(self, *, tail: int = 3000) -> str:
        path = self.folder / f"serve-{self.port}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""


@dataclass
class Site:
    """nginx on `https` (and `http`, which redirects) in front of the instances."""

    https: int
    http: int
    cert: Path
    instances: list[Instance]
    folder: Path
    nginx: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https}"

    def client(self, source: str = "127.0.0.1", **options: object) -> httpx.AsyncClient:
        """A client connecting from loopback address `source` (Linux routes all of 127/8), so
        that nginx sees a client address of its own."""
        transport = httpx.AsyncHTTPTransport(
            local_address=source, verify=tls_context(self.cert), retries=0
        )
        return httpx.AsyncClient(transport=transport, base_url=self.url, **options)  # type: ignore[arg-type]

    def nginx_log(self, *, tail: int = 3000) -> str:
        return (self.folder / "error.log").read_text(errors="replace")[-tail:]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], within: float = 15) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert process.poll() is None, "nginx stopped"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nginx does not listen on {port}")


@contextmanager
def running_site(db_url: str, folder: Path, *, redis_db: int, **settings: str) -> Iterator[Site]:
    """Two instances on `db_url` (already migrated and seeded) behind nginx."""
    need(NGINX.exists(), f"the deploy tests need Debian's nginx at {NGINX}: apt-get install nginx")
    need(shutil.which("openssl") is not None, "the deploy tests need openssl: apt install openssl")
    flush_redis(redis_db)
    https, http = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSES_")}
    env |= {
        "COURSES_DATABASE_URL": db_url,
        "COURSES_SECRET_KEY": SECRET_KEY,
        "COURSES_BASE_URL": f"https://127.0.0.1:{https}",
        "COURSES_MAIL_DIR": str(folder / "mail-out"),
        "COURSES_TRUSTED_PROXIES": "127.0.0.1",
        "COURSES_REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
    } | {f"COURSES_{name.upper()}": value for name, value in settings.items()}
    instances = [Instance(_free_port(), env, folder) for _ in range(2)]
    site_text = (DEPLOY / "nginx" / "courses.conf").read_text(encoding="utf-8")
    (folder / "courses.conf").write_text(
        render_site(
            site_text, http=http, https=https, upstreams=[i.port for i in instances], folder=folder
        )
    )
    # As root (in a container), nginx's workers would switch to `nobody`, who cannot enter
    # the temporary folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(_MAIN_CONF.format(folder=folder, user=user))
    command = [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log")]
    command += ["-c", str(folder / "nginx.conf"), "-g", f"daemon off; pid {folder}/nginx.pid;"]
    site = Site(https, http, folder / "cert.pem", instances, folder)
    try:
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_until_ready()
        site.nginx = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        _wait_for_port(https, site.nginx)
        yield site
    finally:
        if site.nginx is not None:
            site.nginx.send_signal(signal.SIGQUIT)
            site.nginx.wait(timeout=15)
        for instance in instances:
            if instance.process is not None and instance.process.poll() is None:
                instance.stop()
