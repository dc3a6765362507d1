"""Capture what `courses.logs` writes, the way an operator's collector would get it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from courses.logs import LogFormat, configure_logging

__all__ = ["captured_logs", "json_lines", "restored_logging"]

_UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


@contextmanager
def restored_logging() -> Iterator[None]:
    """Put the root and uvicorn loggers back as they were (`courses.cli.main` configures them)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in _UVICORN)]
    saved = [(list(lg.handlers), lg.propagate, lg.level) for lg in loggers]
    try:
        yield
    finally:
        for logger, (handlers, propagate, level) in zip(loggers, saved, strict=True):
            logger.handlers[:] = handlers
            logger.propagate = propagate
            logger.setLevel(level)


@contextmanager
def captured_logs(log_format: LogFormat) -> Iterator[io.StringIO]:
    """`configure_logging(log_format)` into a buffer; the logging set-up is restored after."""
    stream = io.StringIO()
    with restored_logging():
        configure_logging(log_format, stream=stream)
        yield stream


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line as the JSON object it must be (a line that is not one fails the test)."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]
