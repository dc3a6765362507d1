"""Settings, read once from `COURSES_*` environment variables and passed down.

Nothing is required: the defaults start the service on a SQLite file in the working folder with
mails written to files.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from courses.logs import LOG_FORMATS, LogFormat
from courses.setting_values import (
    PREFIX,
    Rate,
    SettingsError,
    check_redis_url,
    check_smtp_url,
    integer,
    parse_rate,
    parse_trusted_proxies,
    retention_days,
)
from courses.setting_values import log_format as log_format_value

__all__ = [
    "Rate",
    "Settings",
    "SettingsError",
    "async_database_url",
    "parse_rate",
    "parse_trusted_proxies",
]


DEVELOPMENT_SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105 - refused beyond development


_MAKE_KEY = "t.ex. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def async_database_url(url: str) -> str:
    """Map the plain URLs people write to the async drivers SQLAlchemy needs.

    `sqlite:///path` -> `sqlite+aiosqlite:///path`; `postgresql://` and `postgres://` ->
    `postgresql+asyncpg://`. URLs that already name a driver are kept.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise SettingsError(f"COURSES_DATABASE_URL is not a URL: {url!r}")
    if scheme == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+asyncpg://{rest}"
    if scheme in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        return url
    raise SettingsError(
        f"COURSES_DATABASE_URL: unsupported database {scheme!r} (use sqlite:/// or postgresql://)",
    )


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = "sqlite:///courses.db"
    """Where data lives: `sqlite:///path` (default, a file in the working folder) or
    `postgresql://user@host/db` for production and several instances."""

    smtp_url: str | None = None
    """`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://...`; unset writes each
    mail as an `.eml` file into `mail_dir` instead."""

    mail_dir: Path = Path("mail-out")
    """Folder for `.eml` files when no SMTP server is configured."""

    mail_from: str = "Utbildningar missbruk och beroende <utbildning@localhost>"
    """Sender and calendar organizer of every mail."""

    base_url: str = "http://127.0.0.1:8000"
    """Public address of the service; links in answers and mails start with it."""

    secret_key: str = field(default=DEVELOPMENT_SECRET_KEY, repr=False)
    """Key of the manage links (each token is an HMAC of a stored nonce); set a long random
    value in production. Changing it invalidates the links in mails already sent."""

    timezone: str = "Europe/Stockholm"
    """The organizer's time zone; all schedule dates and times are local to it."""

    reminder_days: int = 3
    """How many days before a course's first session its confirmed registrants get a
    reminder (sent once; 0 turns reminders off)."""

    retention_days: int = 365
    """Gallring: how many days after a course's last session (Europe/Stockholm days) its
    registrants' personal data is purged; counts for the statistics stay. The worker purges
    once a day; `courses purge` runs it now. 0 turns the purge off."""

    log_format: LogFormat = "text"
    """`text` (readable lines, the default) or `json` (one JSON object per line, for a log
    collector). Both carry the request id and the mail id, and never a secret."""

    # Rate limits of the HTTP API, per process (each instance counts for itself). None turns
    # one off. A whole municipality may come from one address, so the per-address ceiling is
    # generous and the tight limits are per person or per token.
    registration_rate: Rate | None = Rate(5, 600)
    """Registrations for one course from one mailbox (the address without its `+tag`)."""

    client_registration_rate: Rate | None = Rate(1000, 600)
    """Registrations from one client address (an IPv6 client counts by its /64 network)."""

    token_rate: Rate | None = Rate(60, 600)
    """Look-ups of one manage token (GET, DELETE, invite.ics), known or not."""

    unknown_token_rate: Rate | None = Rate(30, 600)
    """Look-ups of unknown tokens from one client address: guessing links gets slow."""

    sign_in_rate: Rate | None = Rate(5, 900)
    """Sign-in links asked for one address (known or not: the answer is the same)."""

    client_sign_in_rate: Rate | None = Rate(50, 900)
    """Sign-in links asked for from one client address, whatever the addresses typed."""

    my_registrations_rate: Rate | None = Rate(5, 900)
    """Lists of registrations asked for one address on /mina-anmalningar (known or not: the
    answer is the same; the mailbox gets its list at most once in 10 minutes anyway)."""

    client_my_registrations_rate: Rate | None = Rate(50, 900)
    """Lists of registrations asked for from one client address, whatever the addresses."""

    message_rate: Rate | None = Rate(10, 3600)
    """Messages one staff member sends to courses' people (each may reach hundreds); a
    preview (dry run) is not counted."""

    trusted_proxies: tuple[str, ...] = ()
    """The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed:
    networks, written `10.0.0.0/8` (an address is its /32 or /128). From any other peer
    those headers are ignored. Strings, not `ipaddress` networks, so that the settings stay
    plain data wherever they are handed on."""

    redis_url: str | None = field(default=None, repr=False)
    """`redis://host:6379/0`: where instances share their rate-limit counters. Unset, each
    process counts in its own memory."""

    @property
    def has_development_key(self) -> bool:
        return self.secret_key == DEVELOPMENT_SECRET_KEY

    def check_secret_key(self, *, host: str | None = None) -> None:
        """Refuse the development key where others could reach the service or its data:
        on PostgreSQL (a production database) or when listening beyond loopback."""
        if not self.has_development_key:
            return
        if self.async_database_url.startswith("postgresql"):
            raise SettingsError(
                "COURSES_SECRET_KEY har utvecklingsvärdet; med PostgreSQL krävs en egen "
                f"hemlig nyckel ({_MAKE_KEY})."
            )
        if host is not None and not _loopback(host):
            raise SettingsError(
                f"COURSES_SECRET_KEY har utvecklingsvärdet; för att lyssna på {host} krävs en "
                f"egen hemlig nyckel ({_MAKE_KEY})."
            )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def async_database_url(self) -> str:
        return async_database_url(self.database_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `COURSES_*` variables; unset or empty ones keep their defaults."""
        env = os.environ if environ is None else environ
        defaults = cls()

        def get(name: str, default: str) -> str:
            value = env.get(PREFIX + name, "").strip()
            return value or default

        settings = cls(
            database_url=get("DATABASE_URL", defaults.database_url),
            smtp_url=get("SMTP_URL", "") or None,
            mail_dir=Path(get("MAIL_DIR", str(defaults.mail_dir))),
            mail_from=get("MAIL_FROM", defaults.mail_from),
            base_url=get("BASE_URL", defaults.base_url).rstrip("/"),
            secret_key=get("SECRET_KEY", defaults.secret_key),
            timezone=get("TIMEZONE", defaults.timezone),
            reminder_days=integer("REMINDER_DAYS", get("REMINDER_DAYS", "3")),
            retention_days=retention_days(get("RETENTION_DAYS", str(defaults.retention_days))),
            log_format=log_format_value(get("LOG_FORMAT", defaults.log_format)),
            registration_rate=_rate(env, "RATE_LIMIT_REGISTRATION", defaults.registration_rate),
            client_registration_rate=_rate(
                env, "RATE_LIMIT_CLIENT", defaults.client_registration_rate
            ),
            token_rate=_rate(env, "RATE_LIMIT_TOKEN", defaults.token_rate),
            unknown_token_rate=_rate(env, "RATE_LIMIT_UNKNOWN_TOKEN", defaults.unknown_token_rate),
            sign_in_rate=_rate(env, "RATE_LIMIT_SIGN_IN", defaults.sign_in_rate),
            client_sign_in_rate=_rate(
                env, "RATE_LIMIT_SIGN_IN_CLIENT", defaults.client_sign_in_rate
            ),
            my_registrations_rate=_rate(
                env, "RATE_LIMIT_MY_REGISTRATIONS", defaults.my_registrations_rate
            ),
            client_my_registrations_rate=_rate(
                env, "RATE_LIMIT_MY_REGISTRATIONS_CLIENT", defaults.client_my_registrations_rate
            ),
            message_rate=_rate(env, "RATE_LIMIT_MESSAGE", defaults.message_rate),
            trusted_proxies=parse_trusted_proxies(get("TRUSTED_PROXIES", "")),
            redis_url=get("REDIS_URL", "") or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        async_database_url(self.database_url)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"COURSES_TIMEZONE: unknown time zone {self.timezone!r}") from exc
        if self.smtp_url is not None:
            check_smtp_url(self.smtp_url)
        if self.retention_days < 0:
            raise SettingsError(
                f"COURSES_RETENTION_DAYS får inte vara negativt: {self.retention_days!r}"
            )
        if self.log_format not in LOG_FORMATS:
            raise SettingsError(f"COURSES_LOG_FORMAT must be text or json: {self.log_format!r}")
        if self.redis_url is not None:
            check_redis_url(self.redis_url)
        if not self.base_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"COURSES_BASE_URL must start with http:// or https://: {self.base_url!r}"
            )


def _rate(env: Mapping[str, str], name: str, default: Rate | None) -> Rate | None:
    value = env.get(PREFIX + name, "").strip()
    return parse_rate(name, value) if value else default
