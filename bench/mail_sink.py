"""The SMTP server the mail benchmark sends to: aiosmtpd on 127.0.0.1, in its own process.

It accepts every message and notes only when it arrived and its Message-ID, so that it costs
as little as an SMTP server can and does not share a GIL with the sender it measures. It runs
on uvloop when that is installed (the service's uvicorn uses it too).

Run by `SmtpSink` (below), which talks to it over its stdin and stdout, one line each way:

    ready PORT          (the sink, once it listens)
    count   -> N        (messages received since the last reset)
    dump    -> JSON     ({"received": [[unix_time, message_id], ...], "bytes": total})
    reset   -> ok       (forget what was received)
    end of stdin        (the sink stops)
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["SmtpSink", "smtp_sink"]

HOST = "127.0.0.1"
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class _Recorder:
    """aiosmtpd's handler: note the arrival, answer 250, keep nothing else."""

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.time()  # wall clock: compared with the outbox rows' created_at
        content: bytes = envelope.original_content or envelope.content
        head = content[: content.find(b"\r\n\r\n")]
        found = _MESSAGE_ID.search(head)
        self.received.append((arrived, found.group(1).decode() if found else ""))
        self.bytes += len(content)
        return "250 2.0.0 OK"


def _answer(recorder: _Recorder, command: str) -> str:
    if command == "count":
        return str(len(recorder.received))
    if command == "dump":
        return json.dumps({"received": list(recorder.received), "bytes": recorder.bytes})
    if command == "reset":
        recorder.received = []
        recorder.bytes = 0
        return "ok"
    return f"unknown command {command!r}"


def _serve_commands(recorder: _Recorder, stop: Callable[[], None]) -> None:
    """In a thread: the parent's commands, until it closes our stdin."""
    for line in sys.stdin:
        print(_answer(recorder, line.strip()), flush=True)
    stop()


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _run_sink() -> None:
    from aiosmtpd.smtp import SMTP

    recorder = _Recorder()
    loop = _new_loop()
    asyncio.set_event_loop(loop)

    def protocol() -> SMTP:
        # A fixed hostname: by default aiosmtpd looks up this host's FQDN for every connection.
        return SMTP(recorder, hostname="bench-sink", ident="bench-sink", loop=loop)

    server = loop.run_until_complete(loop.create_server(protocol, host=HOST, port=0))
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    stopper = threading.Thread(
        target=_serve_commands,
        args=(recorder, lambda: loop.call_soon_threadsafe(loop.stop)),
        daemon=True,
    )
    stopper.start()
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


class SmtpSink:
    """The parent's handle on a running sink process."""

    def __init__(self, proc: subprocess.Popen[str], port: int) -> None:
        self._proc = proc
        self.port = port
        self.url = f"smtp://{HOST}:{port}"

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _ask(self, command: str) -> str:
        stdin: IO[str] | None = self._proc.stdin
        stdout: IO[str] | None = self._proc.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write(command + "\n")
        stdin.flush()
        answer = stdout.readline()
        if not answer:
            raise RuntimeError(f"the SMTP sink exited (code {self._proc.poll()})")
        return answer.strip()

    def count(self) -> int:
        return int(self._ask("count"))

    def received(self) -> tuple[list[tuple[float, str]], int]:
        """(arrival time, Message-ID) of each message since the last reset, and total bytes."""
        answer = json.loads(self._ask("dump"))
        return [(float(t), str(mid)) for t, mid in answer["received"]], int(answer["bytes"])

    def reset(self) -> None:
        if self._ask("reset") != "ok":
            raise RuntimeError("the SMTP sink did not reset")

    def cpu_s(self) -> float:
        """User + system CPU seconds the sink used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def smtp_sink(log_path: Path) -> Iterator[SmtpSink]:
    """Start a sink process on a free port of 127.0.0.1 and stop it afterwards."""
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            start_new_session=True,
        )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        if len(first) != 2 or first[0] != "ready":
            raise RuntimeError(f"the SMTP sink did not start; see {log_path}")
        yield SmtpSink(proc, int(first[1]))
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


if __name__ == "__main__":
    _run_sink()
