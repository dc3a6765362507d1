"""A child process that `courses serve` keeps running beside itself: the mail worker.

On PostgreSQL the worker gets its own process, so building and sending mail does not compete
with HTTP for one event loop and one core; it is the same `courses worker` command a deployment
with several instances runs. If it exits while the service is up, it is started again.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence

__all__ = ["ChildProcess", "child_environment", "courses_command"]

log = logging.getLogger("courses.supervise")

_RESTART_DELAY = 1.0
_STOP_GRACE = 15.0


class ChildProcess:
    """Runs `args` (with `env`) until `stop()`, restarting it when it exits on its own."""

    def __init__(self, args: Sequence[str], *, env: Mapping[str, str], name: str) -> None:
        self._args = list(args)
        self._name = name
        self._env = dict(env)
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep_running, name="child", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _keep_running(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                # Its own session: Ctrl+C in the terminal stops the service, which stops the child.
                self._process = subprocess.Popen(  # noqa: S603
                    self._args, env=self._env, start_new_session=True
                )
            code = self._process.wait()
            if not self._stopping.is_set():
                log.error("%s exited with %s; starting it again", self._name, code)
                self._stopping.wait(_RESTART_DELAY)

    def stop(self) -> None:
        """Ask the child to finish its batch (SIGTERM), and kill it if it takes too long."""
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._thread.join(timeout=_STOP_GRACE)


def courses_command(*args: str) -> list[str]:
    """The `courses` CLI of this interpreter, whatever way it was installed."""
    return [sys.executable, "-m", "courses.cli", *args]


def child_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **overrides}
