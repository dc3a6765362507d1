"""How the values of the `COURSES_*` settings are read and checked: each refusal names the
setting and says, in Swedish where an operator fixes it, what a usable value looks like."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from courses.logs import LOG_FORMATS, LogFormat

__all__ = [
    "PREFIX",
    "Rate",
    "SettingsError",
    "check_redis_url",
    "check_smtp_url",
    "integer",
    "log_format",
    "parse_rate",
    "parse_trusted_proxies",
    "retention_days",
]

PREFIX = "COURSES_"


class SettingsError(ValueError):
    """A setting has a value the service cannot use; the message says which and why."""


def integer(name: str, value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a whole number: {value!r}") from None
    if number < 0:
        raise SettingsError(f"{PREFIX}{name} must not be negative: {value!r}")
    return number


def retention_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise SettingsError(
            f"{PREFIX}RETENTION_DAYS ska vara ett antal dagar (ett heltal, 0 stänger av "
            f"gallringen): {value!r}"
        ) from None
    if days < 0:
        raise SettingsError(
            f"{PREFIX}RETENTION_DAYS får inte vara negativt (0 stänger av gallringen): {value!r}"
        )
    return days


def log_format(value: str) -> LogFormat:
    for known in LOG_FORMATS:
        if value.lower() == known:
            return known
    raise SettingsError(f"{PREFIX}LOG_FORMAT must be text or json: {value!r}")


def check_smtp_url(url: str) -> None:
    """A usable SMTP URL; messages never repeat it, as it may hold a password."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise SettingsError(
            "COURSES_SMTP_URL must start with smtp:// or smtps:// "
            f"(it starts with {parts.scheme!r})"
        )
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise SettingsError("COURSES_SMTP_URL has a port that is not a number") from None
    if not parts.hostname:
        raise SettingsError("COURSES_SMTP_URL names no host (smtp://host:587)")


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `count` requests in any `seconds` long window (a moving window)."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


_RATE = re.compile(
    r"(?P<count>\d+)\s*(?:/|per)\s*(?P<n>\d+)?\s*"
    r"(?P<unit>s|sec|seconds?|m|min|minutes?|h|hours?|d|days?)",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(name: str, value: str) -> Rate | None:
    """`5/10min`, `5 per 10 minutes`, `60/hour`; `off` (or 0 requests) means no limit."""
    text = value.strip()
    if text.lower() in ("off", "none", "0"):
        return None
    found = _RATE.fullmatch(text)
    if found is None:
        raise SettingsError(
            f"{PREFIX}{name} must look like 5/10min, 60/hour or off: {value!r}",
        )
    count = int(found["count"])
    seconds = int(found["n"] or 1) * _UNIT_SECONDS[found["unit"][0].lower()]
    if count == 0:
        return None
    if seconds == 0:
        raise SettingsError(f"{PREFIX}{name} needs a window longer than zero: {value!r}")
    return Rate(count, seconds)


def parse_trusted_proxies(value: str) -> tuple[str, ...]:
    """`127.0.0.1, 10.0.0.0/8, ::1`: addresses or networks, separated by commas or spaces;
    each checked and written as a network."""
    networks = []
    for part in value.replace(",", " ").split():
        try:
            networks.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(
                f"{PREFIX}TRUSTED_PROXIES: {part!r} är varken en IP-adress eller ett nät "
                "(skriv t.ex. 127.0.0.1, 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def check_redis_url(url: str) -> None:
    """A URL the Redis client can use; messages never repeat it, as it may hold a password."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise SettingsError(
            f"{PREFIX}REDIS_URL ska börja med redis://, rediss:// eller unix:// "
            f"(den börjar med {parts.scheme!r})"
        )
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise SettingsError(f"{PREFIX}REDIS_URL har en port som inte är ett tal") from None
    if parts.scheme != "unix" and not parts.hostname:
        raise SettingsError(f"{PREFIX}REDIS_URL anger ingen värd (redis://värd:6379/0)")
    database = parts.path.strip("/")
    if parts.scheme != "unix" and database and not database.isdigit():
        raise SettingsError(
            f"{PREFIX}REDIS_URL: databasen efter / ska vara ett nummer (redis://värd:6379/0)"
        )
