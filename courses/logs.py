"""Logging for operators: one handler, readable text or one JSON object per line, no secrets.

`configure_logging` is called once by the command line for the service and the worker. Lines
logged inside `log_context(request_id=..., mail=...)` carry those fields, whichever logger wrote
them (uvicorn's access log included). Every line is passed through `redact` on its way out:
manage and sign-in tokens in paths, bearer and basic credentials, and passwords in URLs or
`key=value` pairs never reach the log, the access log included.

Standard library only, so every layer may log and tests may read the lines back.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal, TextIO

__all__ = [
    "LOG_FORMATS",
    "ContextFilter",
    "JsonFormatter",
    "LogFormat",
    "TextFormatter",
    "configure_logging",
    "current_context",
    "log_context",
    "redact",
]

LogFormat = Literal["text", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("text", "json")

# uvicorn's own loggers: made to propagate to the one root handler instead of their own.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

_NOTHING: Mapping[str, object] = MappingProxyType({})
_context: ContextVar[Mapping[str, object]] = ContextVar("courses_log_context", default=_NOTHING)

# The attributes every LogRecord has; anything else on a record is a field to show.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
_NOT_SHOWN = frozenset({"color_message"})  # uvicorn's message again, with terminal colours


@contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Add `fields` to every line logged inside the block (in this task and those it starts)."""
    clash = _RECORD_ATTRIBUTES & fields.keys()
    if clash:
        raise ValueError(f"log fields may not be named like LogRecord attributes: {sorted(clash)}")
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> Mapping[str, object]:
    """The fields `log_context` has bound here."""
    return _context.get()


class ContextFilter(logging.Filter):
    """Puts the `log_context` fields on each record; a field given with `extra=` wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in _context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


# A secret path segment keeps 4 characters, enough for an operator to match lines of one
# registrant, too few to use. The registrant's, manager's and sign-in pages carry tokens there.
_TOKEN_PATH = re.compile(
    r"(?i)(/api/registrations/|/anmalan/|/godkann/|/logga-in/)([^/?#\s\"'<>]+)"
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/?#@\s\"']*:)[^@/?#\s\"']*@")
_AUTHORIZATION = re.compile(
    r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?[^\s\"',;]+"
)
# Outside an Authorization header only "Bearer" is taken as a credential: "basic" is a word.
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")
_SECRET_PAIR = re.compile(
    r"(?i)\b([a-z_]*(?:password|passwd|secret|api_?key|access_token)[a-z_]*)([\"']?\s*[:=]\s*[\"']?)"
    r"[^\s&,;\"']+"
)
_TOKEN_PARAMETER = re.compile(r"(?i)([?&;][a-z_]*token=)[^&\s\"'#]+")

_HIDDEN = "***"


def _short(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)[:4]}…"


def _authorization(match: re.Match[str]) -> str:
    scheme = f"{match.group(2)} " if match.group(2) else ""
    return f"{match.group(1)}{scheme}{_HIDDEN}"


# Each rule with the (lower-case) words a line must contain for the rule to apply: most lines
# hold none of them, and a substring test is far cheaper than a regular expression.
_RULES: tuple[
    tuple[tuple[str, ...], re.Pattern[str], Callable[[re.Match[str]], str] | str], ...
] = (
    (("/api/registrations/", "/anmalan/", "/godkann/", "/logga-in/"), _TOKEN_PATH, _short),
    (("@",), _URL_PASSWORD, rf"\1{_HIDDEN}@"),
    (("authorization",), _AUTHORIZATION, _authorization),
    (("bearer",), _BEARER, rf"\1 {_HIDDEN}"),
    (("passw", "secret", "key", "access_token"), _SECRET_PAIR, rf"\1\2{_HIDDEN}"),
    (("token=",), _TOKEN_PARAMETER, rf"\1{_HIDDEN}"),
)


_ANY_WORD = re.compile("|".join(re.escape(w) for words, _, _ in _RULES for w in words), re.I)


def redact(text: str) -> str:
    """`text` without the secrets a log line may carry (see the module docstring)."""
    if not _ANY_WORD.search(text):
        return text
    lower = text.lower()
    for words, pattern, replacement in _RULES:
        if any(word in lower for word in words):
            text = pattern.sub(replacement, text)
    return text


def _fields(record: logging.LogRecord, *, access_parts: bool) -> dict[str, object]:
    """The record's own fields: the context, `extra=`, and (JSON) an access line's parts."""
    found = {
        k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES and k not in _NOT_SHOWN
    }
    args = record.args
    if (
        access_parts
        and record.name == "uvicorn.access"
        and isinstance(args, tuple)
        and len(args) == 5
    ):
        client, method, path, _version, status = args
        found.update(client=client, method=method, path=path, status=status)
    return found


def _value(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


class TextFormatter(logging.Formatter):
    """`2026-03-01 10:00:00,123 INFO courses.api: message request_id=… mail=12`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        head, newline, trace = line.partition("\n")
        extras = [
            f"{name}={_text(value)}" for name, value in _fields(record, access_parts=False).items()
        ]
        if extras:
            head = f"{head} {' '.join(extras)}"
        return redact(head + newline + trace)


def _text(value: object) -> str:
    shown = str(value)
    if not shown or any(c.isspace() or c in '"=' for c in shown):
        return json.dumps(shown, ensure_ascii=False)
    return shown


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, then fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name, value in _fields(record, access_parts=True).items():
            entry.setdefault(name, _value(value))
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class _Handler(logging.StreamHandler[TextIO]):
    """The handler `configure_logging` installs; a second call recognises and replaces it."""


class _StderrHandler(_Handler):
    """Writes to whatever `sys.stderr` is at the time (a test's capture, a redirected file)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(
    log_format: LogFormat = "text",
    *,
    level: int = logging.INFO,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Install the one root handler (stderr unless `stream`) and route uvicorn's loggers to it.

    Calling it again replaces the handler it installed before. Returns the handler.
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"unknown log format {log_format!r} (use text or json)")
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
        old.close()
    handler = _StderrHandler() if stream is None else _Handler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Alembic names each of its plugins at INFO on every start: seven lines that say nothing.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(level, logging.WARNING))
    return handler
