"""How long the service takes to render the catalogue and a course page, with a full catalogue.

    .venv/bin/python bench/pages.py [-n 400] [--extra 200]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--no-sqlite]

Per database: a fresh database seeded through the CLI exactly as an admin does (the employers,
the real 2022 schedule, its demo copy and `--extra` generated courses in the coming months),
then `courses serve --mail-worker off` on a free port of 127.0.0.1, then `-n` sequential GETs
of each page over one keep-alive connection after a warm-up. One client, one request at a
time: the time measured is the server's (loopback adds a few hundredths of a millisecond).
Prints one JSON line per database and page, with the median and the 95th percentile in ms.

Self-contained on purpose: it talks to the service only through its command line and HTTP
(PostgreSQL databases are made and dropped with `psql`).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PAGES = ["/", "/kurser/demo-aterfallsprevention-2022", "/kurser/extra-100"]
WARM_UP = 30

_PLACES = ["Växjö", "Ljungby", "Alvesta", "Älmhult"]
_LEADERS = ["Anna Hamle", "Sophie Andersson", "Jonas Reinholdsson"]


def extra_courses(count: int, *, today: date) -> str:
    """`count` courses spread over the coming months: one to three sessions, digital, on site
    or both, some capped, so the catalogue shows every kind of card."""
    blocks = []
    for i in range(count):
        deadline = today + timedelta(days=14 + (i * 300) // max(count, 1))
        first = deadline + timedelta(days=10)
        kind = i % 3
        formats = []
        if kind in (0, 2):
            formats.append('[[course.format]]\nkey = "digital"\nkind = "digital"\n')
        if kind in (1, 2):
            place = _PLACES[i % len(_PLACES)]
            formats.append(
                f'[[course.format]]\nkey = "pa-plats"\nkind = "on_site"\nplace = "{place}"\n'
            )
        sessions = [
            f"[[course.session]]\ndate = {first + timedelta(days=d)}\n"
            + ("start = 09:00:00\nend = 16:00:00\n" if d % 2 == 0 else "")
            for d in range(1 + i % 3)
        ]
        seats = f"seats = {10 + i % 20}\n" if i % 4 == 0 else ""
        blocks.append(
            f'[[course]]\nslug = "extra-{i}"\ntitle = "Fortbildning {i}: samtal och stöd"\n'
            f'description = "En genererad kurs för mätningen."\n'
            f'leaders = [{{ name = "{_LEADERS[i % len(_LEADERS)]}" }}]\n'
            f"deadline = {deadline}\n{seats}\n" + "\n".join(formats) + "\n" + "\n".join(sessions)
        )
    return "\n\n".join(blocks)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _courses(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "courses.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"courses {' '.join(args)} failed ({done.returncode})")


@contextmanager
def _postgres(admin_url: str) -> Iterator[str]:
    name = f"courses_bench_pages_{uuid.uuid4().hex[:8]}"
    psql = ["psql", admin_url, "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run([*psql, f'CREATE DATABASE "{name}"'], check=True, timeout=60)
    parts = urlsplit(admin_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        subprocess.run([*psql, drop], check=False, timeout=60)


@contextmanager
def _serving(env: dict[str, str], log: Path) -> Iterator[int]:
    port = _free_port()
    command = [sys.executable, "-m", "courses.cli", "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*command, "--mail-worker", "off"], env=env, cwd=ROOT, stdout=out, stderr=out
        )
        try:
            _wait_ready(server, port, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the service stopped ({server.returncode}):\n{log.read_text()}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the service did not start within 60 s:\n{log.read_text()}")


def measure(port: int, path: str, *, requests: int) -> dict[str, float | int]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    times = []
    size = 0
    for i in range(WARM_UP + requests):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}")
        if i >= WARM_UP:
            times.append(elapsed * 1000)
            size = len(body)
    connection.close()
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "bytes": size,
        "requests": requests,
    }


def run(database: str, url: str, folder: Path, args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "COURSES_DATABASE_URL": url,
        "COURSES_MAIL_DIR": str(folder / "mail-out"),
    }
    extra = folder / "extra.toml"
    extra.write_text(extra_courses(args.extra, today=date.today()), encoding="utf-8")
    for file in ["seeds/employers.toml", "seeds/schedule-2022.toml"]:
        _courses("seed", file, env=env)
    _courses("seed", "seeds/schedule-2022.toml", "--demo", env=env)
    _courses("seed", str(extra), env=env)
    with _serving(env, folder / f"serve-{database}.log") as port:
        for path in PAGES:
            figures = measure(port, path, requests=args.requests)
            courses = 5 + 5 + args.extra
            print(json.dumps({"database": database, "path": path, "courses": courses, **figures}))
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--requests", type=int, default=400)
    parser.add_argument("--extra", type=int, default=200, help="generated courses (200)")
    parser.add_argument("--postgres-url", default="", help="admin URL of a PostgreSQL server")
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        if args.sqlite:
            run("sqlite", f"sqlite:///{folder / 'pages.db'}", folder, args)
        if args.postgres_url:
            with _postgres(args.postgres_url) as url:
                run("postgresql", url, folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
