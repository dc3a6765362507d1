"""The real front for a benchmark: Debian's nginx with `deploy/nginx/courses.conf` in front of
the service's instances, and the Redis database their rate limits share.

nginx runs as a process of its own, with every path in the run's temporary folder (`-p`, `-e`,
`-g`), the site file rendered for free ports of 127.0.0.1, the instances' ports and a
self-signed certificate (ECDSA P-256, what certbot makes by default), as the deployment tests
run it. The main configuration is Debian's defaults where they matter: `worker_processes auto`
(one per core) and 768 connections per worker (here 1024).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT, free_port
from load import HOST

__all__ = ["NGINX", "Front", "children", "nginx_front", "redis_command"]

NGINX = Path("/usr/sbin/nginx")
SITE = ROOT / "deploy" / "nginx" / "courses.conf"

# Connections as docs/operating.md advises for a national deployment. Warnings too: out of
# connections, nginx closes those still in their TLS handshake ("worker
# connections are not enough, reusing connections"), which only a warning tells.
_MAIN_CONF = """{user}worker_processes auto;
worker_rlimit_nofile 8192;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
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


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "1", "-subj", f"/CN={HOST}"),
            *("-addext", f"subjectAltName=IP:{HOST}", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def render_site(
    *, http: int, https: int, upstreams: Sequence[int], folder: Path, keepalive: int = 0
) -> str:
    """The site file with this run's ports and paths; each spot must be found exactly once,
    so that a changed site file stops the benchmark rather than measuring something else.
    With `keepalive`, nginx keeps up to that many idle connections to the instances per
    worker instead of a new one per request (an experiment, not the site file's set-up)."""
    cert, key = _certificate(folder)
    text = SITE.read_text(encoding="utf-8")
    replacements = [
        ("    listen 80;\n", f"    listen {HOST}:{http};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen {HOST}:{https} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("    server 127.0.0.1:8001 max_fails=0;\n", ""),
        (
            "    server 127.0.0.1:8002 max_fails=0;\n",
            "".join(f"    server {HOST}:{port} max_fails=0;\n" for port in upstreams),
        ),
        ("/etc/letsencrypt/live/courses.example.se/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/courses.example.se/privkey.pem", str(key)),
        ("root /var/www/html;", f"root {folder};"),
    ]
    if keepalive:
        replacements += [
            ("max_fails=0;\n}\n", f"max_fails=0;\n    keepalive {keepalive};\n}}\n"),
            (
                "    proxy_http_version 1.1;\n",
                '    proxy_http_version 1.1;\n    proxy_set_header Connection "";\n',
            ),
        ]
    for old, new in replacements:
        if text.count(old) != 1:
            raise RuntimeError(f"{SITE} no longer has {old!r} exactly once")
        text = text.replace(old, new)
    return text


@dataclass(frozen=True, slots=True)
class Front:
    https: int
    cert: Path
    pid: int
    """nginx's master process; its workers are its children."""


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@contextmanager
def nginx_front(upstreams: Sequence[int], folder: Path, *, keepalive: int = 0) -> Iterator[Front]:
    """nginx with the site file in front of `upstreams` until the block ends (SIGQUIT)."""
    if not NGINX.exists():
        raise RuntimeError(f"no nginx at {NGINX}: apt-get install nginx")
    folder = folder / "nginx"
    folder.mkdir()
    https, http = free_port(), free_port()
    site = render_site(
        http=http, https=https, upstreams=upstreams, folder=folder, keepalive=keepalive
    )
    (folder / "courses.conf").write_text(site, encoding="utf-8")
    # As root, nginx's workers would become `nobody`, who cannot enter the temporary folder.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(_MAIN_CONF.format(folder=folder, user=user))
    command = [str(NGINX), "-p", str(folder), "-e", str(folder / "error.log")]
    command += ["-c", str(folder / "nginx.conf"), "-g", f"daemon off; pid {folder}/nginx.pid;"]
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection((HOST, https), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "error.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"nginx did not start:\n{log}") from None
                time.sleep(0.05)
        yield Front(https, folder / "cert.pem", proc.pid)
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def redis_command(url_host: str, port: int, db: int, *words: str) -> bytes:
    """One command on Redis database `db` (RESP over a plain socket): its raw answer."""

    def encode(parts: Sequence[str]) -> bytes:
        return f"*{len(parts)}\r\n".encode() + b"".join(
            f"${len(p.encode())}\r\n{p}\r\n".encode() for p in parts
        )

    with socket.create_connection((url_host, port), timeout=5) as conn:
        conn.sendall(encode(["SELECT", str(db)]) + encode(list(words)))
        answer = b""
        while True:
            chunk = conn.recv(65536)
            answer += chunk
            if not chunk or _complete(answer):
                break
    if not answer.startswith(b"+OK\r\n"):
        raise RuntimeError(f"Redis refused SELECT {db}: {answer[:100]!r}")
    return answer[5:]


def _complete(answer: bytes) -> bool:
    """Whether `answer` holds SELECT's +OK and one whole simple, integer or bulk reply."""
    if not answer.startswith(b"+OK\r\n"):
        return answer.endswith(b"\r\n")
    rest = answer[5:]
    if not rest.endswith(b"\r\n"):
        return False
    if rest[:1] == b"$":
        size = int(rest[1 : rest.index(b"\r\n")])
        return size < 0 or len(rest) >= rest.index(b"\r\n") + 2 + size + 2
    return True
