"""Settings come from `COURSES_*` variables; nothing is required, bad values fail readably."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from courses.settings import Settings, SettingsError, async_database_url


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({})

    assert settings == Settings()
    assert settings.database_url == "sqlite:///courses.db"
    assert settings.async_database_url == "sqlite+aiosqlite:///courses.db"
    assert settings.smtp_url is None
    assert settings.mail_dir == Path("mail-out")
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.timezone == "Europe/Stockholm"
    assert settings.tz == ZoneInfo("Europe/Stockholm")


def test_empty_or_blank_variables_keep_the_defaults() -> None:
    settings = Settings.from_env({"COURSES_DATABASE_URL": "", "COURSES_TIMEZONE": "   "})

    assert settings == Settings()


def test_variables_without_the_prefix_are_ignored() -> None:
    assert Settings.from_env({"DATABASE_URL": "mysql://x", "TIMEZONE": "Nowhere"}) == Settings()


@pytest.mark.parametrize(
    ("variable", "value", "attribute", "expected"),
    [
        (
            "DATABASE_URL",
            "postgresql://app@db/courses",
            "database_url",
            "postgresql://app@db/courses",
        ),
        ("SMTP_URL", "smtp://user:pw@mail:587", "smtp_url", "smtp://user:pw@mail:587"),
        ("MAIL_DIR", "/var/mail-out", "mail_dir", Path("/var/mail-out")),
        ("MAIL_FROM", "Kurser <kurser@kronoberg.se>", "mail_from", "Kurser <kurser@kronoberg.se>"),
        ("BASE_URL", "https://kurser.kronoberg.se", "base_url", "https://kurser.kronoberg.se"),
        ("SECRET_KEY", "s3cret-and-long", "secret_key", "s3cret-and-long"),
        ("TIMEZONE", "Europe/Helsinki", "timezone", "Europe/Helsinki"),
    ],
)
def test_each_variable_sets_its_setting(
    variable: str, value: str, attribute: str, expected: object
) -> None:
    settings = Settings.from_env({f"COURSES_{variable}": value})

    assert getattr(settings, attribute) == expected


def test_values_are_trimmed() -> None:
    settings = Settings.from_env({"COURSES_MAIL_FROM": "  kurser@kronoberg.se \n"})

    assert settings.mail_from == "kurser@kronoberg.se"


def test_base_url_loses_its_trailing_slash() -> None:
    settings = Settings.from_env({"COURSES_BASE_URL": "https://kurser.kronoberg.se/"})

    assert settings.base_url == "https://kurser.kronoberg.se"


def test_the_secret_key_is_not_shown_in_the_repr() -> None:
    settings = Settings.from_env({"COURSES_SECRET_KEY": "s3cret-and-long"})

    assert "s3cret-and-long" not in repr(settings)


def test_from_env_reads_the_process_environment_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COURSES_BASE_URL", "https://kurser.test")

    assert Settings.from_env().base_url == "https://kurser.test"


def test_the_time_zone_setting_gives_its_zone() -> None:
    assert Settings.from_env({"COURSES_TIMEZONE": "UTC"}).tz == ZoneInfo("UTC")


# --- database URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "mapped"),
    [
        ("sqlite:///x", "sqlite+aiosqlite:///x"),
        ("sqlite:////var/lib/courses.db", "sqlite+aiosqlite:////var/lib/courses.db"),
        ("postgresql://app:pw@db:5432/courses", "postgresql+asyncpg://app:pw@db:5432/courses"),
        ("postgres://app@db/courses", "postgresql+asyncpg://app@db/courses"),
        ("sqlite+aiosqlite:///x", "sqlite+aiosqlite:///x"),
        ("postgresql+asyncpg://app@db/courses", "postgresql+asyncpg://app@db/courses"),
    ],
)
def test_plain_database_urls_map_to_the_async_drivers(plain: str, mapped: str) -> None:
    assert async_database_url(plain) == mapped
    assert Settings.from_env({"COURSES_DATABASE_URL": plain}).async_database_url == mapped


def test_the_original_database_url_is_kept_as_written() -> None:
    settings = Settings.from_env({"COURSES_DATABASE_URL": "postgres://app@db/courses"})

    assert settings.database_url == "postgres://app@db/courses"


@pytest.mark.parametrize("url", ["mysql://app@db/courses", "postgresql+psycopg2://app@db/x"])
def test_unsupported_database_is_refused_readably(url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"COURSES_DATABASE_URL": url})

    message = str(refused.value)
    assert message.startswith("COURSES_DATABASE_URL: unsupported database")
    assert "sqlite:///" in message
    assert "postgresql://" in message


def test_database_url_that_is_not_a_url_is_refused_readably() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"COURSES_DATABASE_URL": "courses.db"})

    assert str(refused.value) == "COURSES_DATABASE_URL is not a URL: 'courses.db'"


# --- other bad values ------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Europe/Växjö", "Mars/Olympus", "../etc/passwd"])
def test_unknown_time_zone_is_refused_readably(zone: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"COURSES_TIMEZONE": zone})

    assert str(refused.value) == f"COURSES_TIMEZONE: unknown time zone {zone!r}"


@pytest.mark.parametrize("base_url", ["kurser.kronoberg.se", "ftp://kurser.kronoberg.se"])
def test_base_url_without_http_is_refused_readably(base_url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"COURSES_BASE_URL": base_url})

    assert str(refused.value) == (
        f"COURSES_BASE_URL must start with http:// or https://: {base_url!r}"
    )


def test_settings_error_is_a_value_error() -> None:
    assert issubclass(SettingsError, ValueError)


def test_reminder_days_default_to_three_and_can_be_set_or_turned_off() -> None:
    assert Settings.from_env({}).reminder_days == 3
    assert Settings.from_env({"COURSES_REMINDER_DAYS": "5"}).reminder_days == 5
    assert Settings.from_env({"COURSES_REMINDER_DAYS": "0"}).reminder_days == 0


@pytest.mark.parametrize("value", ["tre", "-1", "2.5"])
def test_reminder_days_that_are_not_a_whole_number_are_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="COURSES_REMINDER_DAYS"):
        Settings.from_env({"COURSES_REMINDER_DAYS": value})


def test_smtp_urls_with_smtp_or_smtps_are_accepted() -> None:
    for url in ("smtp://mail.example.se:587", "smtps://user:pw@mail.example.se"):
        assert Settings.from_env({"COURSES_SMTP_URL": url}).smtp_url == url


def test_an_smtp_url_of_another_scheme_is_refused_without_showing_its_password() -> None:
    with pytest.raises(SettingsError, match="COURSES_SMTP_URL") as refused:
        Settings.from_env({"COURSES_SMTP_URL": "http://user:hemligt@mail.example.se"})

    assert "hemligt" not in str(refused.value)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp://user:hemligt@mail.example.se:femhundra", "port"),
        ("smtp://user:hemligt@:587", "host"),
    ],
)
def test_an_smtp_url_without_a_usable_host_or_port_is_refused_without_its_password(
    url: str, says: str
) -> None:
    with pytest.raises(SettingsError, match=says) as refused:
        Settings.from_env({"COURSES_SMTP_URL": url})

    assert "hemligt" not in str(refused.value)


def test_retention_days_default_to_a_year_and_can_be_set_or_turned_off() -> None:
    assert Settings.from_env({}).retention_days == 365
    assert Settings.from_env({"COURSES_RETENTION_DAYS": "730"}).retention_days == 730
    assert Settings.from_env({"COURSES_RETENTION_DAYS": "0"}).retention_days == 0


@pytest.mark.parametrize("value", ["ett år", "-1", "365.5"])
def test_retention_days_that_are_not_a_whole_number_are_refused_in_swedish(value: str) -> None:
    with pytest.raises(SettingsError, match=r"COURSES_RETENTION_DAYS (ska vara|får inte)"):
        Settings.from_env({"COURSES_RETENTION_DAYS": value})
