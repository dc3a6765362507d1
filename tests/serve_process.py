"""`courses serve` as an operator starts it: a process of its own on a free port, stopped with
SIGINT afterwards. For the tests that need the real command (mail worker modes, backups)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.mail.smtp_server import _free_port

__all__ = ["serve_process", "wait_for"]


def wait_for(condition: object, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@contextmanager
def serve_process(
    env: Mapping[str, str], cwd: Path, *options: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`courses serve --port P *options`; yields its base URL, once it answers, and the process."""
    port = _free_port()
    argv: Sequence[str] = [sys.executable, "-m", "courses.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*argv, *options],
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/api/health").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up)
        yield base, process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
