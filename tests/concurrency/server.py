"""A real HTTP server for race tests: uvicorn on 127.0.0.1 in a thread with its own loop.

Litestar's test client runs concurrent requests one after another, so races are only real
through a socket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from litestar import Litestar

__all__ = ["running_server"]


@contextmanager
def running_server(app: Litestar, **options: Any) -> Iterator[str]:
    """Serve `app` on a free port; yields its base URL and stops it afterwards.

    `options` go to `uvicorn.Config` (e.g. `log_config=None, log_level="info"` to get the
    access log through `courses.logs`, as `courses serve` does).
    """
    defaults: dict[str, Any] = {"log_level": "warning", "backlog": 1024}
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        lifespan="on",
        server_header=False,
        # uvloop would install its event loop policy for the whole test process.
        loop="asyncio",
        **(defaults | options),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
