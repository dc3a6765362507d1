"""The SMTP sink of the mail benchmark: aiosmtpd's threaded `Controller` on 127.0.0.1, as the
tests' `SmtpServer` runs it, but in a process of its own, so that it does not share a GIL with
the sender it measures. It keeps one line per message, `arrival<TAB>Message-ID`, in a file:
parsing the messages (as `SmtpServer` does) would make it the bottleneck.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import free_port
from load import HOST

__all__ = ["Sink", "smtp_sink"]

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class _Recorder:
    def __init__(self, out: Any) -> None:
        self.out = out

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.time()  # the wall clock: compared with the outbox rows' created_at
        head = (envelope.original_content or envelope.content).partition(b"\r\n\r\n")[0]
        found = _MESSAGE_ID.search(head)
        self.out.write(f"{arrived:.6f}\t{found.group(1).decode() if found else ''}\n")
        self.out.flush()
        return "250 2.0.0 OK"


@dataclass(frozen=True, slots=True)
class Sink:
    url: str
    port: int
    pid: int
    log: Path

    def mark(self) -> int:
        """Where the messages from now on begin, for `received`."""
        return self.log.stat().st_size

    def received(self, since: int) -> list[tuple[float, str]]:
        """(arrival Unix time, Message-ID) of every message after the `mark()` `since`."""
        with self.log.open("rb") as f:
            f.seek(since)
            lines = f.read().decode().splitlines()
        return [(float(t), mid) for t, _, mid in (line.partition("\t") for line in lines)]


@contextmanager
def smtp_sink(folder: Path) -> Iterator[Sink]:
    """The sink process on a free port of 127.0.0.1 until the block ends (its stdin closes)."""
    port, log = free_port(), folder / f"smtp-sink-{time.monotonic_ns()}.tsv"
    log.touch()
    command = [sys.executable, __file__, "sink", str(port), str(log)]
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != b"ready":
            raise RuntimeError("the SMTP sink did not start")
        yield Sink(f"smtp://{HOST}:{port}", port, proc.pid, log)
    finally:
        proc.communicate(timeout=20)


def _sink_main(port: int, log: Path) -> None:
    from aiosmtpd.controller import Controller

    with log.open("a") as out:
        # A fixed hostname: by default aiosmtpd looks up this host's FQDN for every connection.
        controller = Controller(_Recorder(out), hostname=HOST, port=port, server_hostname="sink")
        controller.start()
        print("ready", flush=True)
        sys.stdin.read()  # until the benchmark closes it
        controller.stop()


if __name__ == "__main__" and sys.argv[1:2] == ["sink"]:
    _sink_main(int(sys.argv[2]), Path(sys.argv[3]))
